// docker save: the image archive to -o FILE or stdout (refused on a terminal, as docker does).
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from '../context.js';
import { ExitError } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'save', usage: 'save [OPTIONS] IMAGE [IMAGE...]', description: 'Save one or more images to a tar archive (streamed to STDOUT by default)', minArgs: 1,
  flags: [
    { long: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' },
    { long: 'platform', type: 'list', hidden: true },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const file = p.flags.output as string | undefined;
  if (!file && (ctx.stdout as { isTTY?: boolean }).isTTY) throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const res = await (await ctx.client()).saveImages(p.args);
  await pipeline(res, file ? createWriteStream(file) : ctx.stdout, { end: Boolean(file) });
  return 0;
}
