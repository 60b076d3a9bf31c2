// docker tag SOURCE TARGET: splits TARGET into repo and tag (default `latest`).
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { splitRepoTag } from '../reference.js';

export const spec: CommandSpec = { name: 'tag', usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', minArgs: 2, maxArgs: 2, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [src, target] = p.args as [string, string];
  const { repo, tag } = splitRepoTag(target);
  await (await ctx.client()).tagImage(src, repo, tag ?? 'latest');
  return 0;
}
