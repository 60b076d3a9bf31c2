// docker tag SOURCE TARGET: splits TARGET into repo and tag (default `latest`).
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { splitRepoTag } from '../reference.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { parseNormalizedNamed } from '../../reference/reference.js';

/** The docker client checks both names before asking the daemon, in these words. */
function checkReference(ref: string): void {
  if (/^[a-f0-9]{64}$/.test(ref) || /^sha256:[a-f0-9]{64}$/.test(ref)) return; // an image ID
  try {
    parseNormalizedNamed(ref);
  } catch (e) {
    throw new InvalidArgument(`Error parsing reference: "${ref}" is not a valid repository/tag: ${(e as Error).message}`);
  }
}

export const spec: CommandSpec = { name: 'tag', usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', minArgs: 2, maxArgs: 2, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [src, target] = p.args as [string, string];
  checkReference(src);
  checkReference(target);
  if (target.includes('@')) throw new InvalidArgument('refusing to create a tag with a digest reference');
  const { repo, tag } = splitRepoTag(target);
  await (await ctx.client()).tagImage(src, repo, tag ?? 'latest');
  return 0;
}
