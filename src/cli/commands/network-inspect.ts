// docker network inspect: the daemon's JSON as an indented array, or -f per network.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { inspectAll } from './inspect-core.js';
import { inspectNetwork } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network inspect', usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]', description: 'Display detailed information on one or more networks', minArgs: 1,
  flags: [
    { long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
    { long: 'verbose', short: 'v', type: 'bool', help: 'Verbose output for diagnostics' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return inspectAll(ctx, p.args, (ref) => inspectNetwork(client, ref, { verbose: p.flags.verbose as boolean }), {
    format: p.flags.format as string | undefined,
    notFound: (_ref, e) => `Error response from daemon: ${(e as Error).message}`,
  });
}
