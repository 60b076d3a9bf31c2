// wharf compose logs: every container of the project (or of the named services), each
// line prefixed `web-1  | ` (compose v2: the name without the project, padded).
import type { ContainerSummary, EngineClient } from '../../client/index.js';
import { FrameDecoder } from '../../client/index.js';
import { projectContainers, containerName, type Project } from '../../compose/index.js';
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { projectOnly } from './compose-project.js';
import { apiTimestamp } from './logs.js';

export const spec: CommandSpec = {
  name: 'compose logs', usage: 'compose logs [OPTIONS] [SERVICE...]', description: 'View output from containers',
  flags: [
    { long: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
    { long: 'tail', short: 'n', type: 'string', help: 'Number of lines to show from the end of the logs for each container', default: 'all' },
    { long: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
    { long: 'no-prefix', type: 'bool', help: "Don't print prefix in logs" },
    { long: 'no-color', type: 'bool', help: 'Produce monochrome output' },
    { long: 'since', type: 'string', help: 'Show logs since timestamp' },
    { long: 'until', type: 'string', help: 'Show logs before a timestamp' },
    { long: 'index', type: 'int', help: 'index of the container if service has multiple replicas' },
  ],
};

const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** The prefix name: the container name without `<project>-` (or Python compose's `<project>_`). */
export function shortName(project: string, x: ContainerSummary): string {
  const n = containerName(x);
  for (const pre of [`${project}-`, `${project}_`]) if (n.startsWith(pre)) return n.slice(pre.length);
  return n;
}

export interface StreamOptions {
  follow: boolean; tail?: string; timestamps?: boolean; since?: string; until?: string; prefix: boolean; color: boolean;
  /** Lines are dropped while this says so (attached `up` once it aborts, as compose v2's printer). */
  muted?: (containerId: string) => boolean;
}

/** Streams the containers' logs, line by line with prefixes; resolves when every stream ends. */
export async function streamLogs(ctx: CliContext, c: EngineClient, project: string, list: ContainerSummary[], o: StreamOptions): Promise<void> {
  const names = list.map((x) => shortName(project, x));
  const width = Math.max(0, ...names.map((n) => n.length));
  await Promise.all(list.map(async (x, k) => {
    const name = names[k] as string;
    const pre = !o.prefix ? '' : o.color ? `\x1b[${COLORS[k % COLORS.length]}m${name.padEnd(width + 1)} |\x1b[0m ` : `${name.padEnd(width + 1)} | `;
    const res = await c.containerLogs(x.Id, { follow: o.follow, stdout: true, stderr: true, tail: o.tail, timestamps: o.timestamps, since: o.since, until: o.until });
    const tty = res.headers['content-type'] === 'application/vnd.docker.raw-stream' ? undefined : undefined;
    void tty;
    const { value } = await c.inspectContainer(x.Id);
    const isTty = Boolean((value.Config as { Tty?: boolean } | undefined)?.Tty);
    const partial = { out: '', err: '' };
    const emit = (which: 'out' | 'err', chunk: Buffer): void => {
      const text = partial[which] + chunk.toString('utf8');
      const lines = text.split('\n');
      partial[which] = lines.pop() as string;
      const sink = which === 'out' ? ctx.stdout : ctx.stderr;
      if (o.muted?.(x.Id)) return;
      for (const l of lines) sink.write(`${pre}${l}\n`);
    };
    if (isTty) for await (const chunk of res) emit('out', chunk as Buffer);
    else {
      // Both streams go to stdout, as compose v2 prints them.
      const dec = new FrameDecoder({ stdout: (b) => emit('out', b), stderr: (b) => emit('out', b) });
      for await (const chunk of res) dec.push(chunk as Buffer);
    }
    for (const which of ['out', 'err'] as const) if (partial[which] && !o.muted?.(x.Id)) ctx.stdout.write(`${pre}${partial[which]}\n`);
  }));
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const { name, model } = projectOnly(ctx);
  void (model as Project | undefined);
  const c = await ctx.client();
  let list = await projectContainers(c, name, { all: true, services: p.args });
  if (p.set.has('index')) list = list.filter((x) => Number(x.Labels?.['com.docker.compose.container-number']) === p.flags.index);
  const tail = p.flags.tail as string;
  await streamLogs(ctx, c, name, list, {
    follow: p.flags.follow as boolean, tail: tail === 'all' ? undefined : tail, timestamps: p.flags.timestamps as boolean,
    // The flags take docker's forms ("10m", a date); the API takes unix seconds.
    since: p.flags.since ? apiTimestamp(p.flags.since as string, 'since') : undefined, until: p.flags.until ? apiTimestamp(p.flags.until as string, 'until') : undefined,
    prefix: !p.flags['no-prefix'], color: !p.flags['no-color'] && Boolean((ctx.stdout as { isTTY?: boolean }).isTTY),
  });
  return 0;
}
