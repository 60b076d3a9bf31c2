// docker pause
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'pause', usage: 'pause CONTAINER [CONTAINER...]', description: 'Pause all processes within one or more containers', minArgs: 1,
  flags: [],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  void out;
  return forEachName(ctx, p.args, (id) => client.pauseContainer(id));
}
