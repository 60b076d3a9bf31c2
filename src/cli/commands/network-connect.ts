// docker network connect: prints nothing on success.
import type { EndpointSettings } from '../../contract/index.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { connectNetwork } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network connect', usage: 'network connect [OPTIONS] NETWORK CONTAINER', description: 'Connect a container to a network', minArgs: 2, maxArgs: 2,
  flags: [
    { long: 'alias', type: 'list', help: 'Add network-scoped alias for the container' },
    { long: 'driver-opt', type: 'list', help: 'driver options for the network' },
    { long: 'gw-priority', type: 'int', default: 0, help: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.' },
    { long: 'ip', type: 'string', help: 'IPv4 address (e.g., "172.30.100.104")' },
    { long: 'ip6', type: 'string', help: 'IPv6 address (e.g., "2001:db8::33")' },
    { long: 'link', type: 'list', help: 'Add link to another container' },
    { long: 'link-local-ip', type: 'list', help: 'Add a link-local address for the container' },
  ],
};

/** pflag StringSlice: each value is a comma-separated list. */
const slice = (p: Parsed, name: string): string[] => (p.flags[name] as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');

/** The EndpointConfig docker's CLI sends: IPAMConfig always present, even when empty. */
export function endpointConfig(p: Parsed): EndpointSettings {
  const driverOpts: Record<string, string> = {};
  for (const opt of slice(p, 'driver-opt')) {
    const eq = opt.indexOf('=');
    const k = (eq < 0 ? opt : opt.slice(0, eq)).trim();
    if (eq < 0 || k === '') throw new InvalidArgument('invalid key/value pair format in driver options');
    driverOpts[k] = opt.slice(eq + 1).trim();
  }
  const links = p.flags.link as string[];
  return {
    IPAMConfig: {
      IPv4Address: (p.flags.ip as string | undefined) ?? '',
      IPv6Address: (p.flags.ip6 as string | undefined) ?? '',
      LinkLocalIPs: slice(p, 'link-local-ip'),
    },
    Links: links.length ? links : null,
    Aliases: slice(p, 'alias'),
    DriverOpts: driverOpts,
    GwPriority: p.flags['gw-priority'] as number,
  };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [network, container] = p.args as [string, string];
  await connectNetwork(await ctx.client(), network, container, endpointConfig(p));
  return 0;
}
