// The compose commands that apply one Engine call to each container of the project (or
// of the named services): start, stop, restart, kill, rm, pause, unpause; plus ls and version.
import type { ContainerSummary, EngineClient } from '../../client/index.js';
import type { Order } from '../../compose/index.js';
import { inDependencyOrder, labels as L, projectContainers, restart, serviceOf } from '../../compose/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, FlagSpec, Parsed } from '../flags.js';
import type { CommandModule } from '../registry.js';
import { tabulate } from '../tabwriter.js';
import { progress, projectOnly } from './compose-project.js';

const name = (x: ContainerSummary): string => (x.Names?.[0] ?? '').replace(/^\//, '');

interface Action {
  description: string;
  flags: FlagSpec[];
  /** Which containers: running ones, stopped ones, or all. */
  select: (x: ContainerSummary) => boolean;
  verbs: [string, string];
  /** Dependents first (stop) or dependencies first (start). */
  order: Order;
  run(c: EngineClient, x: ContainerSummary, p: Parsed): Promise<void>;
}

const running = (x: ContainerSummary): boolean => x.State === 'running' || x.State === 'restarting';
const TIMEOUT: FlagSpec = { long: 'timeout', short: 't', type: 'int', help: 'Specify a shutdown timeout in seconds' };

const ACTIONS: Record<string, Action> = {
  start: { description: 'Start services', flags: [], select: (x) => !running(x) && x.State !== 'paused', verbs: ['Starting', 'Started'], order: 'forward', run: (c, x) => c.startContainer(x.Id) },
  stop: { description: 'Stop services', flags: [TIMEOUT], select: running, verbs: ['Stopping', 'Stopped'], order: 'reverse', run: (c, x, p) => c.stopContainer(x.Id, { timeout: p.flags.timeout as number | undefined }) },
  kill: { description: 'Force stop service containers', flags: [{ long: 'signal', short: 's', type: 'string', help: 'SIGNAL to send to the container', default: 'SIGKILL' }, { long: 'remove-orphans', type: 'bool', help: 'Remove containers for services not defined in the Compose file' }], select: running, verbs: ['Killing', 'Killed'], order: 'reverse', run: (c, x, p) => c.killContainer(x.Id, p.flags.signal as string) },
  pause: { description: 'Pause services', flags: [], select: (x) => x.State === 'running', verbs: ['Pausing', 'Paused'], order: 'reverse', run: (c, x) => c.pauseContainer(x.Id) },
  unpause: { description: 'Unpause services', flags: [], select: (x) => x.State === 'paused', verbs: ['Unpausing', 'Unpaused'], order: 'forward', run: (c, x) => c.unpauseContainer(x.Id) },
  rm: {
    description: 'Removes stopped service containers',
    flags: [{ long: 'force', short: 'f', type: 'bool', help: "Don't ask to confirm removal" }, { long: 'stop', short: 's', type: 'bool', help: 'Stop the containers, if required, before removing' }, { long: 'volumes', short: 'v', type: 'bool', help: 'Remove any anonymous volumes attached to containers' }],
    select: () => true, verbs: ['Removing', 'Removed'], order: 'reverse',
    run: async (c, x, p) => {
      if (running(x)) { if (!p.flags.stop) return; await c.stopContainer(x.Id); }
      await c.removeContainer(x.Id, { volumes: p.flags.volumes as boolean, force: true });
    },
  },
};

function command(verb: string, a: Action): CommandModule {
  return {
    spec: { name: `compose ${verb}`, usage: `compose ${verb} [OPTIONS] [SERVICE...]`, description: a.description, flags: a.flags },
    async main(ctx: CliContext, p: Parsed): Promise<number> {
      const { name: project, model } = projectOnly(ctx);
      const c = await ctx.client();
      const pr = progress(ctx);
      // kill, as compose v2, reaches one-off containers too, and orphans only with --remove-orphans.
      const oneoff = verb === 'kill' ? 'any' as const : undefined;
      let list = (await projectContainers(c, project, { all: true, services: p.args, oneoff })).filter(a.select);
      if (verb === 'kill' && model && !p.flags['remove-orphans']) list = list.filter((x) => model.services[serviceOf(x)]);
      if (verb === 'rm' && !list.some((x) => !running(x) || p.flags.stop)) { ctx.stderr.write('No stopped containers\n'); return 0; }
      await inDependencyOrder(model?.services, list, a.order, async (x) => {
        if (verb === 'rm' && running(x) && !p.flags.stop) return;
        pr.event('Container', name(x), a.verbs[0]);
        await a.run(c, x, p);
        pr.event('Container', name(x), a.verbs[1]);
      });
      return 0;
    },
  };
}

export const commands: Record<string, CommandModule> = Object.fromEntries(Object.entries(ACTIONS).map(([v, a]) => [v, command(v, a)]));

// restart goes through src/compose/restart.ts: it also takes the dependents that say
// `depends_on: {x: {restart: true}}`, as Compose v2 does.
commands.restart = {
  spec: { name: 'compose restart', usage: 'compose restart [OPTIONS] [SERVICE...]', description: 'Restart service containers', flags: [TIMEOUT, { long: 'no-deps', type: 'bool', help: "Don't restart dependent services" }] },
  async main(ctx, p) {
    const { name: project, model } = projectOnly(ctx);
    await restart(await ctx.client(), project, model, { services: p.args, noDeps: p.flags['no-deps'] as boolean, timeout: p.flags.timeout as number | undefined }, progress(ctx));
    return 0;
  },
};

commands.version = {
  spec: { name: 'compose version', usage: 'compose version [OPTIONS]', description: 'Show the Docker Compose version information', flags: [{ long: 'short', type: 'bool', help: 'Shows only Compose\'s version number' }, { long: 'format', short: 'f', type: 'string', help: 'Format the output. Values: [pretty | json]', default: 'pretty' }] },
  async main(ctx, p) {
    if (p.flags.short) out(ctx, `${L.COMPOSE_VERSION}\n`);
    else if (p.flags.format === 'json') out(ctx, `${JSON.stringify({ version: `v${L.COMPOSE_VERSION}` })}\n`);
    else out(ctx, `Docker Compose version v${L.COMPOSE_VERSION} (wharf)\n`);
    return 0;
  },
};

commands.ls = {
  spec: { name: 'compose ls', usage: 'compose ls [OPTIONS]', description: 'List running compose projects', flags: [{ long: 'all', short: 'a', type: 'bool', help: 'Show all stopped Compose projects' }, { long: 'quiet', short: 'q', type: 'bool', help: 'Only display project names.' }, { long: 'format', type: 'string', default: 'table', help: 'Format the output. Values: [table | json]' }] },
  async main(ctx, p) {
    const c = await ctx.client();
    const list = await c.listContainers({ all: p.flags.all as boolean, filters: { label: [L.PROJECT] } });
    const projects = new Map<string, { states: Map<string, number>; files: Set<string> }>();
    for (const x of list) {
      const n = x.Labels?.[L.PROJECT] ?? '';
      const e = projects.get(n) ?? { states: new Map(), files: new Set() };
      e.states.set(x.State, (e.states.get(x.State) ?? 0) + 1);
      if (x.Labels?.[L.CONFIG_FILES]) e.files.add(x.Labels[L.CONFIG_FILES]);
      projects.set(n, e);
    }
    const names = [...projects.keys()].sort();
    if (p.flags.quiet) { out(ctx, names.map((n) => `${n}\n`).join('')); return 0; }
    const status = (e: { states: Map<string, number> }): string => [...e.states].sort().map(([s, k]) => `${s}(${k})`).join(', ');
    if (p.flags.format === 'json') { out(ctx, `${JSON.stringify(names.map((n) => ({ Name: n, Status: status(projects.get(n)!), ConfigFiles: [...projects.get(n)!.files].join(',') })))}\n`); return 0; }
    out(ctx, tabulate(`${['NAME\tSTATUS\tCONFIG FILES', ...names.map((n) => `${n}\t${status(projects.get(n)!)}\t${[...projects.get(n)!.files].join(',')}`)].join('\n')}\n`));
    return 0;
  },
};
