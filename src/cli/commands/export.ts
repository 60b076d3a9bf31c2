// docker export: a container's filesystem as tar to -o FILE or stdout.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'export', usage: 'export [OPTIONS] CONTAINER', description: "Export a container's filesystem as a tar archive", minArgs: 1, maxArgs: 1,
  flags: [{ long: 'output', short: 'o', type: 'string', help: 'Write to a file, instead of STDOUT' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const file = p.flags.output as string | undefined;
  if (!file && (ctx.stdout as { isTTY?: boolean }).isTTY) throw new ExitError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const res = await (await ctx.client()).exportContainer(p.args[0] as string);
  await pipeline(res, file ? createWriteStream(file) : ctx.stdout, { end: Boolean(file) });
  return 0;
}
