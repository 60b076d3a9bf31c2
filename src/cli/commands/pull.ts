// docker pull NAME[:TAG|@DIGEST]: credentials from config.json, the daemon's progress
// stream rendered, then the full reference on its own line (as docker does).
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { formatReference, parseNormalizedNamed, repositoryName } from '../../reference/reference.js';
import { credentialsFor, encodeAuthHeader } from '../docker-config.js';
import { renderProgress } from '../progress.js';

export const spec: CommandSpec = {
  name: 'pull', usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]', description: 'Download an image from a registry', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'all-tags', short: 'a', type: 'bool', help: 'Download all tagged images in the repository' },
    { long: 'disable-content-trust', type: 'bool', help: 'Skip image verification (default true)' },
    { long: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const name = p.args[0]!;
  const all = p.flags['all-tags'] as boolean;
  const quiet = p.flags.quiet as boolean;
  let ref;
  try {
    ref = parseNormalizedNamed(name);
  } catch (e) {
    throw new InvalidArgument(`${(e as Error).message}`);
  }
  if (all && (ref.tag !== undefined || ref.digest !== undefined)) throw new InvalidArgument('tag can\'t be used with --all-tags/-a');
  if (!all && ref.tag === undefined && ref.digest === undefined) {
    ref.tag = 'latest';
    if (!quiet) ctx.stdout.write('Using default tag: latest\n');
  }
  const auth = await credentialsFor(ref.domain);
  const res = await (await ctx.client()).pullImage(repositoryName(ref), {
    tag: ref.digest ?? ref.tag,
    platform: p.flags.platform as string | undefined,
    registryAuth: encodeAuthHeader(auth),
  });
  await renderProgress(res, ctx.stdout, { quiet });
  ctx.stdout.write(`${formatReference(ref)}\n`);
  return 0;
}
