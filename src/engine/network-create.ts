// `POST /networks/create`: the request checked and reduced to what the network layer builds.
// Wording follows Docker's where it has one.
import type { NetworkCreateRequest } from '../contract/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import type { CreateNetworkSpec } from '../network/index.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function toCreateSpec(req: NetworkCreateRequest): CreateNetworkSpec {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new InvalidArgument('invalid network configuration: body must be a JSON object');
  const name = req.Name;
  if (typeof name !== 'string' || name === '') throw new InvalidArgument('network name is required');
  if (!NAME.test(name)) throw new InvalidArgument(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (req.EnableIPv4 === false) throw new InvalidArgument('IPv4 cannot be disabled on a bridge network');
  const ipamDriver = req.IPAM?.Driver;
  if (ipamDriver && ipamDriver !== 'default') throw new InvalidArgument(`plugin "${ipamDriver}" not found`);
  const configs = req.IPAM?.Config ?? [];
  const v6 = configs.filter((c) => (c.Subnet ?? '').includes(':'));
  const v4 = configs.filter((c) => !v6.includes(c));
  if (v4.length > 1) throw new InvalidArgument('wharf supports one IPv4 subnet per network');
  if (v6.length > 1) throw new InvalidArgument('wharf supports one IPv6 subnet per network');
  if (v6.length && !req.EnableIPv6) throw new InvalidArgument(`IPv6 subnet ${v6[0].Subnet} given, but IPv6 is not enabled on the network (--ipv6)`);
  const cfg = v4[0] ?? {};
  if (!cfg.Subnet && (cfg.Gateway || cfg.IPRange)) throw new InvalidArgument('ip-range and gateway need a subnet (--subnet)');
  const cfg6 = v6[0] ?? {};
  // A v6 gateway or range must come with its subnet, in the same family.
  for (const [what, value] of [['gateway', cfg.Gateway], ['ip-range', cfg.IPRange]] as const) {
    if (value?.includes(':')) throw new InvalidArgument(`${what} ${value} is IPv6 but its subnet ${cfg.Subnet} is not`);
  }
  for (const [what, value] of [['gateway', cfg6.Gateway], ['ip-range', cfg6.IPRange]] as const) {
    if (value && !value.includes(':')) throw new InvalidArgument(`${what} ${value} is IPv4 but its subnet ${cfg6.Subnet} is IPv6`);
  }
  return {
    name,
    driver: req.Driver || 'bridge',
    subnet: cfg.Subnet || undefined,
    gateway: cfg.Gateway || undefined,
    ipRange: cfg.IPRange || undefined,
    enableIPv6: !!req.EnableIPv6,
    subnet6: cfg6.Subnet || undefined,
    gateway6: cfg6.Gateway || undefined,
    ipRange6: cfg6.IPRange || undefined,
    internal: !!req.Internal,
    attachable: !!req.Attachable,
    labels: stringMap(req.Labels, 'Labels'),
    options: stringMap(req.Options, 'Options'),
    ipamOptions: req.IPAM?.Options ? stringMap(req.IPAM.Options, 'IPAM.Options') : null,
  };
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgument(`invalid ${field}: want an object of strings`);
  for (const v of Object.values(value)) if (typeof v !== 'string') throw new InvalidArgument(`invalid ${field}: want an object of strings`);
  return { ...(value as Record<string, string>) };
}
