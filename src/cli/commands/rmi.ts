// docker rmi: prints Untagged:/Deleted: lines per image.
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'rmi', usage: 'rmi [OPTIONS] IMAGE [IMAGE...]', description: 'Remove one or more images', minArgs: 1,
  flags: [
    { long: 'force', short: 'f', type: 'bool', help: 'Force removal of the image' },
    { long: 'no-prune', type: 'bool', help: 'Do not delete untagged parents' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return forEachName(ctx, p.args, async (ref) => {
    const items = await client.removeImage(ref, { force: p.flags.force as boolean, noprune: p.flags['no-prune'] as boolean });
    for (const i of items ?? []) out(ctx, i.Untagged ? `Untagged: ${i.Untagged}\n` : `Deleted: ${i.Deleted}\n`);
  }, { echo: false });
}
