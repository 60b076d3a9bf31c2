// Subnets already in use on the host (routes and interface addresses), so a default pool
// never collides with Docker's bridges, a VPN or the LAN. Read fresh at each network create.

import { ipJson } from './command.js';
import { parseCidr, type Cidr } from './cidr.js';
import { parseCidr6, type Cidr6 } from './cidr6.js';

interface RouteJson {
  dst: string;
}
interface AddrJson {
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export async function hostRoutedSubnets(): Promise<Cidr[]> {
  const [routes, addrs] = await Promise.all([
    ipJson<RouteJson[]>(['-4', 'route', 'show', 'table', 'all']),
    ipJson<AddrJson[]>(['-4', 'addr', 'show']),
  ]);
  return routedFrom(routes, addrs);
}

/** Pure part, unit-tested: the default route and host routes to 0.0.0.0/0 don't count. */
export function routedFrom(routes: readonly RouteJson[], addrs: readonly AddrJson[]): Cidr[] {
  const out: Cidr[] = [];
  const add = (text: string) => {
    try {
      const c = parseCidr(text.includes('/') ? text : `${text}/32`);
      if (c.prefix > 0 && !(c.base >>> 24 === 127)) out.push(c);
    } catch {
      // "default", "broadcast …", multicast names: not a subnet.
    }
  };
  for (const r of routes) add(r.dst);
  for (const a of addrs) for (const i of a.addr_info ?? []) if (i.family === 'inet') add(`${i.local}/${i.prefixlen}`);
  return out;
}

/** IPv6 prefixes routed or configured on the host (link-local, loopback and multicast aside). */
export async function hostRoutedSubnets6(): Promise<Cidr6[]> {
  const [routes, addrs] = await Promise.all([
    ipJson<RouteJson[]>(['-6', 'route', 'show', 'table', 'all']),
    ipJson<AddrJson[]>(['-6', 'addr', 'show']),
  ]);
  return routed6From(routes, addrs);
}

export function routed6From(routes: readonly RouteJson[], addrs: readonly AddrJson[]): Cidr6[] {
  const out: Cidr6[] = [];
  const add = (text: string) => {
    try {
      const c = parseCidr6(text.includes('/') ? text : `${text}/128`);
      const top = Number(c.base >> 112n);
      // Not a subnet anyone could collide with: default, ::1, fe80::/10, ff00::/8.
      if (c.prefix > 0 && c.base !== 1n && (top & 0xffc0) !== 0xfe80 && (top & 0xff00) !== 0xff00) out.push(c);
    } catch {
      // "default" and the like
    }
  };
  for (const r of routes) add(r.dst);
  for (const a of addrs) for (const i of a.addr_info ?? []) if (i.family === 'inet6') add(`${i.local}/${i.prefixlen}`);
  return out;
}
