// docker network create: flags → NetworkCreateRequest (with docker's client-side IPAM
// checks) → prints the new network's ID.
import { isIP } from 'node:net';
import type { IpamConfig, NetworkCreateRequest } from '../../contract/index.js';
import { out, type CliContext } from '../context.js';
import { parseLabels } from '../container-options.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { createNetwork } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network create', usage: 'network create [OPTIONS] NETWORK', description: 'Create a network', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'attachable', type: 'bool', help: 'Enable manual container attachment' },
    { long: 'aux-address', type: 'list', help: 'Auxiliary IPv4 or IPv6 addresses used by Network driver' },
    { long: 'config-from', type: 'string', help: 'The network from which to copy the configuration' },
    { long: 'config-only', type: 'bool', help: 'Create a configuration only network' },
    { long: 'driver', short: 'd', type: 'string', default: 'bridge', help: 'Driver to manage the Network' },
    { long: 'gateway', type: 'list', help: 'IPv4 or IPv6 Gateway for the master subnet' },
    { long: 'ingress', type: 'bool', help: 'Create swarm routing-mesh network' },
    { long: 'internal', type: 'bool', help: 'Restrict external access to the network' },
    { long: 'ip-range', type: 'list', help: 'Allocate container ip from a sub-range' },
    { long: 'ipam-driver', type: 'string', default: 'default', help: 'IP Address Management Driver' },
    { long: 'ipam-opt', type: 'list', help: 'Set IPAM driver specific options' },
    { long: 'ipv4', type: 'bool', default: true, help: 'Enable or disable IPv4 address assignment' },
    { long: 'ipv6', type: 'bool', help: 'Enable or disable IPv6 address assignment' },
    { long: 'label', type: 'list', help: 'Set metadata on a network' },
    { long: 'opt', short: 'o', type: 'list', help: 'Set driver specific options' },
    { long: 'scope', type: 'string', help: "Control the network's scope" },
    { long: 'subnet', type: 'list', help: 'Subnet in CIDR format that represents a network segment' },
  ],
};

/** pflag StringSlice: each value is a comma-separated list. */
const slice = (p: Parsed, name: string): string[] => (p.flags[name] as string[]).flatMap((v) => v.split(',')).filter((v) => v !== '');

/** opts.MapOpts: `k=v` (a bare `k` maps to ""). */
function kvMap(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((kv) => { const eq = kv.indexOf('='); return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)]; }));
}

/** An address as 32 or 128 bits, or undefined. */
function ipBits(ip: string): { v: 4 | 6; n: bigint } | undefined {
  const v = isIP(ip);
  if (v === 4) return { v: 4, n: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) };
  if (v !== 6) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') as [string, string] : [ip, undefined];
  const words = (s: string | undefined) => (s ? s.split(':') : []).flatMap((w) => {
    if (w.includes('.')) { const b = ipBits(w)!.n; return [Number(b >> 16n), Number(b & 0xffffn)]; }
    return [parseInt(w, 16)];
  });
  const h = words(head), t = words(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  return { v: 6, n: all.reduce((a, w) => (a << 16n) | BigInt(w), 0n) };
}

/** Go's net.ParseCIDR, enough to test containment; its error text for a bad one. */
function parseCidr(s: string): { v: 4 | 6; net: bigint; bits: number } {
  const slash = s.indexOf('/');
  const ip = slash < 0 ? undefined : ipBits(s.slice(0, slash));
  const len = slash < 0 ? NaN : Number(s.slice(slash + 1));
  const max = ip?.v === 4 ? 32 : 128;
  if (!ip || !/^\d+$/.test(s.slice(slash + 1)) || len > max) throw new InvalidArgument(`invalid CIDR address: ${s}`);
  const total = BigInt(max);
  const mask = ((1n << BigInt(len)) - 1n) << (total - BigInt(len));
  return { v: ip.v, net: ip.n & mask, bits: len };
}

/** docker's subnetMatches: does `subnet` contain the address (or the CIDR's address) `data`? */
function subnetMatches(subnet: string, data: string): boolean {
  let s: ReturnType<typeof parseCidr>;
  try { s = parseCidr(subnet); } catch (e) { throw new InvalidArgument(`invalid subnet: ${(e as Error).message}`); }
  const ip = data.includes('/') ? { v: parseCidr(data).v, n: ipBits(data.slice(0, data.indexOf('/')))!.n } : ipBits(data);
  if (!ip || ip.v !== s.v) return false;
  const max = s.v === 4 ? 32n : 128n;
  const mask = ((1n << BigInt(s.bits)) - 1n) << (max - BigInt(s.bits));
  return (ip.n & mask) === s.net;
}

/** docker's createIPAMConfig: one Config entry per subnet with its range, gateway, aux addresses. */
export function ipamConfig(o: { subnets: string[]; ipRanges: string[]; gateways: string[]; aux: Record<string, string> }): IpamConfig[] {
  if (o.subnets.length < o.ipRanges.length || o.subnets.length < o.gateways.length) throw new InvalidArgument('every ip-range or gateway must have a corresponding subnet');
  const data = new Map<string, IpamConfig & { AuxiliaryAddresses: Record<string, string> }>();
  for (const s of o.subnets) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new InvalidArgument('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  const assign = (what: 'range' | 'gateway', value: string) => {
    let match = false;
    for (const s of o.subnets) {
      if (what === 'range') parseCidr(value);
      if (!subnetMatches(s, value)) continue;
      const d = data.get(s)!;
      if (what === 'range') {
        if (d.IPRange) throw new InvalidArgument(`cannot configure multiple ranges (${value}, ${d.IPRange}) on the same subnet (${s})`);
        d.IPRange = value;
      } else {
        if (d.Gateway) throw new InvalidArgument(`cannot configure multiple gateways (${value}, ${d.Gateway}) for the same subnet (${s})`);
        d.Gateway = value;
      }
      match = true;
    }
    if (!match) throw new InvalidArgument(`no matching subnet for ${what} ${value}`);
  };
  o.ipRanges.forEach((r) => assign('range', r));
  o.gateways.forEach((g) => assign('gateway', g));
  for (const [key, aa] of Object.entries(o.aux)) {
    let match = false;
    for (const s of o.subnets) {
      if (!subnetMatches(s, aa)) continue;
      data.get(s)!.AuxiliaryAddresses[key] = aa;
      match = true;
    }
    if (!match) throw new InvalidArgument(`no matching subnet for aux-address ${aa}`);
  }
  return [...data.values()];
}

export function createRequest(name: string, p: Parsed): NetworkCreateRequest {
  const configFrom = p.flags['config-from'] as string | undefined;
  const req: NetworkCreateRequest = {
    Name: name,
    Driver: p.flags.driver as string,
    Scope: (p.flags.scope as string | undefined) ?? '',
    EnableIPv4: p.set.has('ipv4') ? (p.flags.ipv4 as boolean) : undefined,
    EnableIPv6: p.set.has('ipv6') ? (p.flags.ipv6 as boolean) : undefined,
    IPAM: {
      Driver: p.flags['ipam-driver'] as string,
      Config: ipamConfig({ subnets: slice(p, 'subnet'), ipRanges: slice(p, 'ip-range'), gateways: slice(p, 'gateway'), aux: kvMap(p.flags['aux-address'] as string[]) }),
      Options: kvMap(p.flags['ipam-opt'] as string[]),
    },
    Internal: p.flags.internal as boolean,
    Attachable: p.flags.attachable as boolean,
    Ingress: p.flags.ingress as boolean,
    ConfigOnly: p.flags['config-only'] as boolean,
    Options: kvMap(p.flags.opt as string[]),
    Labels: parseLabels(p.flags.label as string[]),
  };
  if (configFrom) req.ConfigFrom = { Network: configFrom };
  return req;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const req = createRequest(p.args[0] as string, p);
  const r = await createNetwork(await ctx.client(), req);
  out(ctx, `${r.Id}\n`);
  return 0;
}
