// docker rename.
import { describeError, ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = { name: 'rename', usage: 'rename CONTAINER NEW_NAME', description: 'Rename a container', minArgs: 2, maxArgs: 2, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [id, name] = p.args as [string, string];
  const client = await ctx.client();
  // docker prints the daemon's error, then its own line (both on stderr).
  try { await client.renameContainer(id, name); } catch (e) {
    ctx.stderr.write(`${describeError(e)}\n`);
    throw new ExitError(1, `Error: failed to rename container named ${id}`);
  }
  return 0;
}
