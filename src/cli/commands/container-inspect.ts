// docker container inspect.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { inspectAll } from './inspect-core.js';

export const spec: CommandSpec = {
  name: 'container inspect', usage: 'container inspect [OPTIONS] CONTAINER [CONTAINER...]', description: 'Display detailed information on one or more containers', minArgs: 1,
  flags: [
    { long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
    { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return inspectAll(ctx, p.args, (ref) => client.inspectContainer(ref, { size: p.flags.size as boolean }), {
    format: p.flags.format as string | undefined,
    notFound: (_ref, e) => `Error response from daemon: ${(e as Error).message}`,
  });
}
