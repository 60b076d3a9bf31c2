// wharf compose up / create: reconcile the project (src/compose/up.ts); attached mode
// then follows the containers' logs until they all exit or Ctrl-C stops them.
import { containerName, down as _down, projectContainers, pullOption, serviceOf, up, type Project, type UpOptions } from '../../compose/index.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { ExitError, type CliContext } from '../context.js';
import { FlagError, type CommandSpec, type Parsed } from '../flags.js';
import { load, progress } from './compose-project.js';
import { shortName, streamLogs } from './compose-logs.js';
import { registryAuthFor } from '../docker-config.js';

void _down;

const COMMON = [
  { long: 'build', type: 'bool' as const, help: 'Build images before starting containers' },
  { long: 'no-build', type: 'bool' as const, help: "Don't build an image, even if it's policy" },
  { long: 'force-recreate', type: 'bool' as const, help: "Recreate containers even if their configuration and image haven't changed" },
  { long: 'no-recreate', type: 'bool' as const, help: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
  { long: 'remove-orphans', type: 'bool' as const, help: 'Remove containers for services not defined in the Compose file' },
  { long: 'scale', type: 'list' as const, help: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' },
  { long: 'pull', type: 'string' as const, help: 'Pull image before running ("always"|"missing"|"never")', default: 'policy' },
];

export const spec: CommandSpec = {
  name: 'compose up', usage: 'compose up [OPTIONS] [SERVICE...]', description: 'Create and start containers',
  flags: [
    ...COMMON,
    { long: 'detach', short: 'd', type: 'bool', help: 'Detached mode: Run containers in the background' },
    { long: 'no-start', type: 'bool', help: "Don't start the services after creating them" },
    { long: 'no-deps', type: 'bool', help: "Don't start linked services" },
    { long: 'timeout', short: 't', type: 'int', help: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
    { long: 'renew-anon-volumes', short: 'V', type: 'bool', help: 'Recreate anonymous volumes instead of retrieving data from the previous containers' },
    { long: 'wait', type: 'bool', help: 'Wait for services to be running|healthy. Implies detached mode.' },
    { long: 'wait-timeout', type: 'int', help: 'Maximum duration in seconds to wait for the project to be running|healthy' },
    { long: 'abort-on-container-exit', type: 'bool', help: 'Stops all containers if any container was stopped. Incompatible with -d' },
    { long: 'exit-code-from', type: 'string', help: 'Return the exit code of the selected service container. Implies --abort-on-container-exit' },
    { long: 'no-color', type: 'bool', help: 'Produce monochrome output' },
    { long: 'no-log-prefix', type: 'bool', help: "Don't print prefix in logs" },
    { long: 'quiet-pull', type: 'bool', help: 'Pull without printing progress information' },
    { long: 'attach-dependencies', type: 'bool', hidden: true },
  ],
};

export function parseScale(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw new FlagError(`invalid --scale option "${s}": expected SERVICE=NUM`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

function options(p: Parsed, o: { noStart: boolean }): UpOptions {
  if (p.flags['force-recreate'] && p.flags['no-recreate']) throw new InvalidArgument('--force-recreate and --no-recreate are incompatible');
  if (p.flags.build && p.flags['no-build']) throw new InvalidArgument('--build and --no-build are incompatible');
  return {
    registryAuth: registryAuthFor,
    services: p.args, build: p.flags.build ? 'always' : p.flags['no-build'] ? 'never' : 'missing',
    forceRecreate: p.flags['force-recreate'] as boolean, noRecreate: p.flags['no-recreate'] as boolean,
    noStart: o.noStart, noDeps: p.flags['no-deps'] as boolean, removeOrphans: p.flags['remove-orphans'] as boolean,
    scale: parseScale(p.flags.scale as string[]), timeout: p.flags.timeout as number | undefined,
    renewAnonVolumes: p.flags['renew-anon-volumes'] as boolean,
    waitTimeout: p.flags['wait-timeout'] as number | undefined,
    pull: pullOption(p.flags.pull as string | undefined), quietPull: p.flags['quiet-pull'] as boolean | undefined,
  };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const detach = (p.flags.detach || p.flags.wait) as boolean;
  const exitFrom = p.flags['exit-code-from'] as string | undefined;
  const abort = Boolean(p.flags['abort-on-container-exit'] || exitFrom);
  if (detach && abort) throw new InvalidArgument('--abort-on-container-exit and --detach are incompatible');
  const project = load(ctx, { services: p.args });
  if (exitFrom && !project.services[exitFrom]) throw new InvalidArgument(`no such service: ${exitFrom}`);
  const c = await ctx.client();
  const o = options(p, { noStart: p.flags['no-start'] as boolean });
  await up(c, project, o, progress(ctx));
  if (p.flags.wait) await waitRunning(ctx, c, project, p.args, (p.flags['wait-timeout'] as number | undefined) ?? 0);
  if (detach || o.noStart) return 0;
  return attached(ctx, project.name, p, { abort, exitFrom, timeout: o.timeout });
}

/**
 * `--wait`: every container running (and healthy when it has a health check). A service
 * others wait on with service_completed_successfully may have exited 0 instead.
 */
async function waitRunning(ctx: CliContext, c: Awaited<ReturnType<CliContext['client']>>, project: Project, services: string[], timeoutS: number): Promise<void> {
  const end = timeoutS ? Date.now() + timeoutS * 1000 : Infinity;
  const oneShot = new Set(Object.values(project.services).flatMap((s) => Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === 'service_completed_successfully').map(([n]) => n)));
  const list = await projectContainers(c, project.name, { all: true, services });
  const pr = progress(ctx);
  for (const x of list) pr.event('Container', containerName(x), 'Waiting');
  await Promise.all(list.map(async (x) => {
    for (;;) {
      const s = (await c.inspectContainer(x.Id)).value.State as { Status?: string; ExitCode?: number; Health?: { Status?: string } };
      if (s.Status === 'exited' && s.ExitCode === 0 && oneShot.has(serviceOf(x))) { pr.event('Container', containerName(x), 'Exited'); return; }
      if (s.Status === 'exited' || s.Status === 'dead') throw new ExitError(1, `container ${containerName(x)} exited (${s.ExitCode ?? 0})`);
      if (s.Health?.Status === 'unhealthy') throw new ExitError(1, `container ${containerName(x)} is unhealthy`);
      if (s.Status === 'running' && (!s.Health || s.Health.Status === 'healthy')) { pr.event('Container', containerName(x), 'Healthy'); return; }
      if (Date.now() > end) throw new ExitError(1, 'timeout waiting for the project to be running|healthy');
      await new Promise((r) => setTimeout(r, 200));
    }
  }));
}

/**
 * Follows logs. Ctrl-C stops the project's containers; with --abort-on-container-exit the
 * first exit does, and, as compose v2's printer, the exit code is that of the first
 * service to exit (or of --exit-code-from's), and later exits are no longer announced.
 */
async function attached(ctx: CliContext, project: string, p: Parsed, o: { abort: boolean; exitFrom?: string; timeout?: number }): Promise<number> {
  const c = await ctx.client();
  const list = await projectContainers(c, project, { services: p.args.length ? p.args : undefined, all: true });
  let stopping: Promise<void> | undefined;
  let aborting = false;
  let interrupted = false;
  const stopAll = (banner: string): Promise<void> => (stopping ??= (async () => {
    ctx.stderr.write(`${banner}\n`);
    await Promise.all(list.map(async (x) => {
      ctx.stderr.write(` Container ${containerName(x)}  Stopping\n`);
      await c.stopContainer(x.Id, { timeout: o.timeout }).catch(() => undefined);
      ctx.stderr.write(` Container ${containerName(x)}  Stopped\n`);
    }));
  })());
  const onSig = (): void => { aborting = true; interrupted = true; void stopAll('Gracefully stopping... (press Ctrl+C again to force)'); };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  try {
    ctx.stdout.write(`Attaching to ${list.map((x) => shortName(project, x)).join(', ')}\n`);
    const waits = await Promise.all(list.map(async (x) => ({ x, w: await c.waitContainer(x.Id, 'not-running') })));
    let codeFrom = o.exitFrom;
    let code = 0;
    // A container that exited on its own still gets its last lines printed; the ones the abort stops do not.
    const exited = new Set<string>();
    const exits = waits.map(({ x, w }) => w.result.then((r) => {
      if (!aborting) exited.add(x.Id);
      if (!aborting) ctx.stdout.write(`${shortName(project, x)} exited with code ${r.StatusCode}\n`);
      if (o.abort) {
        codeFrom ??= serviceOf(x);
        if (!aborting) { aborting = true; void stopAll('Aborting on container exit...'); }
      }
      if (codeFrom === serviceOf(x)) code = r.StatusCode;
    }));
    const logs = streamLogs(ctx, c, project, list, { follow: true, prefix: !p.flags['no-log-prefix'], color: !p.flags['no-color'] && Boolean((ctx.stdout as { isTTY?: boolean }).isTTY), muted: (id) => aborting && !exited.has(id) });
    await Promise.all([...exits, logs]);
    await stopping;
    return interrupted && !o.abort ? 130 : code;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

/** wharf compose create: up without starting. */
export const create = {
  spec: {
    name: 'compose create', usage: 'compose create [OPTIONS] [SERVICE...]', description: 'Creates containers for a service',
    flags: [...COMMON],
  } satisfies CommandSpec,
  async main(ctx: CliContext, p: Parsed): Promise<number> {
    const project = load(ctx, { services: p.args });
    await up(await ctx.client(), project, options(p, { noStart: true }), progress(ctx));
    return 0;
  },
};
