// docker unpause
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'unpause', usage: 'unpause CONTAINER [CONTAINER...]', description: 'Unpause all processes within one or more containers', minArgs: 1,
  flags: [],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  void out;
  return forEachName(ctx, p.args, (id) => client.unpauseContainer(id));
}
