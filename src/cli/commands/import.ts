// docker import file|URL|- [REPOSITORY[:TAG]]: prints the new image ID.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { jsonLines } from '../../client/jsonstream.js';
import type { JsonMessage } from '../../client/types.js';
import { Internal } from '../../errdefs/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { splitRepoTag } from '../reference.js';

export const spec: CommandSpec = {
  name: 'import', usage: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]', description: 'Import the contents from a tarball to create a filesystem image', minArgs: 1, maxArgs: 2,
  flags: [
    { long: 'change', short: 'c', type: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', type: 'string', help: 'Set commit message for imported image' },
    { long: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [src, ref] = p.args as [string, string | undefined];
  const source: Readable = src === '-' ? ctx.stdin : createReadStream(src);
  const { repo, tag } = ref ? splitRepoTag(ref) : { repo: undefined, tag: undefined };
  const res = await (await ctx.client()).importImage({
    source, repo, tag, message: p.flags.message as string | undefined, changes: p.flags.change as string[], platform: p.flags.platform as string | undefined,
  });
  for await (const m of jsonLines<JsonMessage>(res)) {
    if (m.error || m.errorDetail) throw new Internal(m.errorDetail?.message ?? m.error ?? '');
    if (m.status) out(ctx, `${m.status}\n`);
  }
  return 0;
}
