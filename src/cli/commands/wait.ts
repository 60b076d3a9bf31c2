// docker wait: prints each container's exit code.
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'wait', usage: 'wait CONTAINER [CONTAINER...]', description: 'Block until one or more containers stop, then print their exit codes', minArgs: 1, flags: [],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return forEachName(ctx, p.args, async (id) => {
    const r = await (await client.waitContainer(id, 'not-running')).result;
    out(ctx, `${r.StatusCode}\n`);
  }, { echo: false });
}
