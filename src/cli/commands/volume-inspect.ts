// docker volume inspect VOLUME...
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { inspectAll } from './inspect-core.js';

export const spec: CommandSpec = {
  name: 'volume inspect', usage: 'volume inspect [OPTIONS] VOLUME [VOLUME...]', description: 'Display detailed information on one or more volumes', minArgs: 1,
  flags: [{ long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return inspectAll(ctx, p.args, (name) => client.jsonRaw({ path: `/volumes/${encodeURIComponent(name)}` }), {
    format: p.flags.format as string | undefined,
    notFound: (_name, e) => `Error response from daemon: ${(e as Error).message}`,
  });
}
