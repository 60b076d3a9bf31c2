// docker rename.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = { name: 'rename', usage: 'rename CONTAINER NEW_NAME', description: 'Rename a container', minArgs: 2, maxArgs: 2, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [id, name] = p.args as [string, string];
  await (await ctx.client()).renameContainer(id, name);
  return 0;
}
