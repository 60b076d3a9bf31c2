// docker network disconnect: prints nothing on success.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { disconnectNetwork } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network disconnect', usage: 'network disconnect [OPTIONS] NETWORK CONTAINER', description: 'Disconnect a container from a network', minArgs: 2, maxArgs: 2,
  flags: [{ long: 'force', short: 'f', type: 'bool', help: 'Force the container to disconnect from a network' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [network, container] = p.args as [string, string];
  await disconnectNetwork(await ctx.client(), network, container, p.flags.force as boolean);
  return 0;
}
