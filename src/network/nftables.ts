// wharf's packet rules as data: a model of bridges and published ports, rendered to one
// nft script and applied with `nft -f -`. The script recreates wharf's own table in one
// transaction (create-if-missing, delete, define), so the kernel switches from the old
// rule set to the new one atomically and no other table is ever read or touched.
// Per-container changes regenerate the table from the engine's current model: simpler and
// safer than tracking rule handles, and cheap (one nft call, a few ms).
//
// What the rules do (IPv4):
// - published ports: DNAT in prerouting (external traffic, other containers → hairpin) and
//   in output (the host's own connections, 127.0.0.1 included) for local destinations;
// - masquerade: a bridge's subnet leaving through any other interface; connections from
//   127.0.0.0/8 into a bridge (needs route_localnet=1 on that bridge); hairpin (a container
//   reaching a published port that DNATs back into its own bridge);
// - forward filter: `--internal` bridges talk only to themselves; different wharf bridges
//   cannot reach each other, except through a published port (DNATed connections).
//
// IPv6 (dual-stack bridges): the same DNAT, masquerade and hairpin rules per family. The one
// exception is ::1: IPv6 has no route_localnet, and a reply de-NATed back to ::1 arriving on
// a bridge is dropped by the kernel, so ::1 is left out of the DNAT rules and answered by a
// userland proxy instead (loopback-proxy.ts), as Docker's docker-proxy does.

import { runTool } from './command.js';

export interface NftBridge {
  name: string;
  /** IPv4 subnet, e.g. `172.17.0.0/16` */
  subnet: string;
  /** `--internal`: no traffic in or out of the bridge, no masquerade. */
  internal?: boolean;
  /** `--ipv6` networks: the v6 subnet, e.g. `fd12:3456:789a::/64`. */
  subnet6?: string;
}

export interface NftPort {
  proto: 'tcp' | 'udp';
  /** Host address to match; absent, `0.0.0.0` or `::`: every local address of the family. */
  hostIp?: string;
  hostPort: number;
  /** IPv4 or IPv6: the family of the rule. */
  containerIp: string;
  containerPort: number;
}

export interface NftModel {
  /** Default `wharf` (family inet). Tests use their own name. */
  table?: string;
  bridges: readonly NftBridge[];
  ports: readonly NftPort[];
}

export const DEFAULT_TABLE = 'wharf';

const q = (name: string) => JSON.stringify(name);

export function renderRuleset(model: NftModel): string {
  const table = model.table ?? DEFAULT_TABLE;
  // A port published on ::1 alone is the loopback proxy's entirely.
  const publish = model.ports.filter((p) => p.hostIp !== '::1').map((p) => {
    if (p.containerIp.includes(':')) {
      const daddr = p.hostIp && p.hostIp !== '::' ? `ip6 daddr ${p.hostIp} ` : 'ip6 daddr != ::1 ';
      return `meta nfproto ipv6 ${daddr}${p.proto} dport ${p.hostPort} dnat ip6 to [${p.containerIp}]:${p.containerPort}`;
    }
    const daddr = p.hostIp && p.hostIp !== '0.0.0.0' ? `ip daddr ${p.hostIp} ` : '';
    return `meta nfproto ipv4 ${daddr}${p.proto} dport ${p.hostPort} dnat ip to ${p.containerIp}:${p.containerPort}`;
  });
  const postrouting: string[] = [];
  const forward: string[] = [];
  for (const b of model.bridges) {
    const br = q(b.name);
    if (!b.internal) postrouting.push(`ip saddr ${b.subnet} oifname != ${br} masquerade`);
    postrouting.push(`oifname ${br} ip saddr 127.0.0.0/8 masquerade`);
    postrouting.push(`oifname ${br} ip saddr ${b.subnet} ct status dnat masquerade`);
    if (b.subnet6) {
      if (!b.internal) postrouting.push(`ip6 saddr ${b.subnet6} oifname != ${br} masquerade`);
      postrouting.push(`oifname ${br} ip6 saddr ${b.subnet6} ct status dnat masquerade`);
    }
    if (b.internal) {
      forward.push(`iifname ${br} oifname != ${br} drop`);
      forward.push(`oifname ${br} iifname != ${br} drop`);
    }
  }
  if (model.bridges.length > 1) forward.push('ct status dnat accept');
  for (const a of model.bridges) {
    for (const b of model.bridges) if (a !== b) forward.push(`iifname ${q(a.name)} oifname ${q(b.name)} drop`);
  }
  const chain = (name: string, head: string | undefined, rules: string[]) =>
    [`\tchain ${name} {`, ...(head ? [`\t\t${head}`] : []), ...rules.map((r) => `\t\t${r}`), '\t}'].join('\n');
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    chain('prerouting', 'type nat hook prerouting priority dstnat; policy accept;', ['fib daddr type local jump publish']),
    chain('output', 'type nat hook output priority -100; policy accept;', ['fib daddr type local jump publish']),
    chain('publish', undefined, publish),
    chain('postrouting', 'type nat hook postrouting priority srcnat; policy accept;', postrouting),
    chain('forward', 'type filter hook forward priority filter; policy accept;', forward),
    '}',
    '',
  ].join('\n');
}

/** Replaces wharf's table with the model's rules, atomically. */
export async function applyRuleset(model: NftModel): Promise<void> {
  await runTool('nft', ['-f', '-'], { input: renderRuleset(model) });
}

/** Removes wharf's table (last network gone, or tests); absent is fine. */
export async function deleteRuleset(table = DEFAULT_TABLE): Promise<void> {
  await runTool('nft', ['-f', '-'], { input: `table inet ${table}\ndelete table inet ${table}\n` });
}

/** Names of inet tables starting with `prefix` (reconcile and leak checks). */
export async function listTables(prefix: string): Promise<string[]> {
  const text = await runTool('nft', ['list', 'tables']);
  return text
    .split('\n')
    .map((l) => /^table inet (\S+)/.exec(l.trim())?.[1])
    .filter((n): n is string => n !== undefined && n.startsWith(prefix));
}
