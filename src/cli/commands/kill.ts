// docker kill
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'kill', usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]', description: 'Kill one or more running containers', minArgs: 1,
  flags: [{ long: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  void out;
  return forEachName(ctx, p.args, (id) => client.killContainer(id, (p.flags.signal as string | undefined) || undefined));
}
