// docker load: an archive from -i FILE or stdin; prints "Loaded image: …" lines.
import { createReadStream } from 'node:fs';
import { ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { printProgress } from '../progress.js';

export const spec: CommandSpec = {
  name: 'load', usage: 'load [OPTIONS]', description: 'Load an image from a tar archive or STDIN', maxArgs: 0,
  flags: [
    { long: 'input', short: 'i', type: 'string', help: 'Read from tar archive file, instead of STDIN' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress the load output' },
    { long: 'platform', type: 'list', hidden: true },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const file = p.flags.input as string | undefined;
  if (!file && (ctx.stdin as { isTTY?: boolean }).isTTY) throw new ExitError(1, 'requested load from stdin, but stdin is empty');
  const res = await (await ctx.client()).loadImages(file ? createReadStream(file) : ctx.stdin, { quiet: p.flags.quiet as boolean });
  await printProgress(res, ctx.stdout);
  return 0;
}
