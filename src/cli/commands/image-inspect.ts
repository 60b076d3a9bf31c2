// docker image inspect.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { inspectAll } from './inspect-core.js';

export const spec: CommandSpec = {
  name: 'image inspect', usage: 'image inspect [OPTIONS] IMAGE [IMAGE...]', description: 'Display detailed information on one or more images', minArgs: 1,
  flags: [{ long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return inspectAll(ctx, p.args, (ref) => client.inspectImage(ref), {
    format: p.flags.format as string | undefined,
    notFound: (_ref, e) => `Error response from daemon: ${(e as Error).message}`,
  });
}
