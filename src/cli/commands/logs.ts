// docker logs: stdout to stdout, stderr to stderr (demultiplexed unless the container has a TTY).
import { demuxStream } from '../../client/stdcopy.js';
import type { CliContext } from '../context.js';
import { FlagError, type CommandSpec, type Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'logs', usage: 'logs [OPTIONS] CONTAINER', description: 'Fetch the logs of a container', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'details', type: 'bool', help: 'Show extra details provided to logs' },
    { long: 'follow', short: 'f', type: 'bool', help: 'Follow log output' },
    { long: 'since', type: 'string', help: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { long: 'tail', short: 'n', type: 'string', default: 'all', help: 'Number of lines to show from the end of the logs' },
    { long: 'timestamps', short: 't', type: 'bool', help: 'Show timestamps' },
    { long: 'until', type: 'string', help: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
};

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** docker's GetTimestamp: a Go duration ("42m", "1h30m") is relative to now; else a date or unix seconds. */
export function apiTimestamp(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  const dur = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(value);
  if (dur) {
    let ms = 0;
    for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    return ((now - ms) / 1000).toFixed(9);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new FlagError(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  return (t / 1000).toFixed(9);
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  const id = p.args[0] as string;
  const { value: c } = await client.inspectContainer(id);
  const since = p.flags.since as string | undefined; const until = p.flags.until as string | undefined;
  const res = await client.containerLogs(id, {
    follow: p.flags.follow as boolean, stdout: true, stderr: true, timestamps: p.flags.timestamps as boolean,
    tail: p.flags.tail as string, since: since ? apiTimestamp(since) : undefined, until: until ? apiTimestamp(until) : undefined,
  });
  if (c.Config.Tty) for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
  else await demuxStream(res, { stdout: (b) => ctx.stdout.write(b), stderr: (b) => ctx.stderr.write(b) });
  return 0;
}
