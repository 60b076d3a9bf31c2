// docker push NAME[:TAG]: `-a` pushes every local tag of NAME.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { formatReference, parseNormalizedNamed, repositoryName } from '../../reference/reference.js';
import { credentialsFor, encodeAuthHeader } from '../docker-config.js';
import { renderProgress } from '../progress.js';

export const spec: CommandSpec = {
  name: 'push', usage: 'push [OPTIONS] NAME[:TAG]', description: 'Upload an image to a registry', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'all-tags', short: 'a', type: 'bool', help: 'Push all tags of an image to the repository' },
    { long: 'disable-content-trust', type: 'bool', help: 'Skip image signing (default true)' },
    { long: 'platform', type: 'string', hidden: true },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress verbose output' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const all = p.flags['all-tags'] as boolean;
  const quiet = p.flags.quiet as boolean;
  const ref = parseNormalizedNamed(p.args[0]!);
  if (ref.digest !== undefined) throw new InvalidArgument('cannot push a digest reference');
  if (all && ref.tag !== undefined) throw new InvalidArgument('tag can\'t be used with --all-tags/-a');
  if (!all && ref.tag === undefined) {
    ref.tag = 'latest';
    if (!quiet) ctx.stdout.write('Using default tag: latest\n');
  }
  const auth = await credentialsFor(ref.domain);
  const res = await (await ctx.client()).pushImage(repositoryName(ref), { tag: ref.tag, registryAuth: encodeAuthHeader(auth) });
  await renderProgress(res, ctx.stdout, { quiet });
  if (quiet) ctx.stdout.write(`${formatReference(ref)}\n`);
  return 0;
}
