// docker logs: stdout to stdout, stderr to stderr (demultiplexed unless the container has a TTY).
import { demuxStream } from '../../client/stdcopy.js';
import { getTimestamp } from '../../units/index.js';
import { ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

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

/**
 * docker's GetTimestamp, as the API's `seconds.nanoseconds` query value. The docker client
 * names the flag in its error for logs, not for events.
 */
export function apiTimestamp(value: string, flag?: string, now = Date.now()): string {
  try {
    return getTimestamp(value, now).toFixed(9);
  } catch (err) {
    const why = (err as Error).message;
    throw new ExitError(1, flag ? `invalid value for "${flag}": ${why}` : why);
  }
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  const id = p.args[0] as string;
  const { value: c } = await client.inspectContainer(id);
  const since = p.flags.since as string | undefined; const until = p.flags.until as string | undefined;
  const res = await client.containerLogs(id, {
    follow: p.flags.follow as boolean, stdout: true, stderr: true, timestamps: p.flags.timestamps as boolean,
    tail: p.flags.tail as string, since: since ? apiTimestamp(since, 'since') : undefined, until: until ? apiTimestamp(until, 'until') : undefined,
  });
  if (c.Config.Tty) for await (const chunk of res) ctx.stdout.write(chunk as Buffer);
  else await demuxStream(res, { stdout: (b) => ctx.stdout.write(b), stderr: (b) => ctx.stderr.write(b) });
  return 0;
}
