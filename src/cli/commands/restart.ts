// docker restart
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'restart', usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]', description: 'Restart one or more containers', minArgs: 1,
  flags: [{ long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' }, { long: 'time', short: 't', type: 'int', help: 'Seconds to wait before killing the container' }, { long: 'timeout', type: 'int', hidden: true }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  void out;
  return forEachName(ctx, p.args, (id) => client.restartContainer(id, { timeout: (p.flags.time ?? p.flags.timeout) as number | undefined, signal: p.flags.signal as string | undefined }));
}
