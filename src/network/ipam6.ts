// The IPv6 half of address management, as pure functions over records that Ipam persists
// beside the IPv4 pools: choosing a network's v6 subnet and handing out its addresses.
//
// Default subnets follow Docker 27+ (moby c395a33): a ULA /48 whose 40-bit Global ID is
// fixed per daemon (Docker derives it from its engine ID; wharf draws it at random once and
// keeps it in ipam.json), cut into /64s taken in order, skipping any wharf already uses or
// the host routes (RFC 4193 §3.2.2 makes a collision with anyone else's ULA unlikely).
import { randomBytes } from 'node:crypto';
import { Forbidden, InvalidArgument, Conflict, Unavailable } from '../errdefs/index.js';
import { contains6, formatCidr6, formatIPv6, overlaps6, parseCidr6, parseIPv6, size6, type Cidr6 } from './cidr6.js';
import { netMsg } from './messages.js';

export interface PoolRecord6 {
  subnet: string;
  gateway: string;
  ipRange?: string;
  /** address (RFC 5952 text) → endpoint (owner) id */
  leases: Record<string, string>;
  /** Offset of the next address to try in the range, as a decimal string (BigInt). */
  cursor: string;
}

export interface PoolRequest6 {
  /** `--subnet fd…::/64`; absent: the next /64 of the daemon's ULA /48. */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** v6 prefixes routed on the host, avoided when choosing a default subnet. */
  routed?: readonly Cidr6[];
}

/** 10 hex digits: the ULA Global ID (RFC 4193), drawn once per daemon. */
export function newUlaGlobalId(): string {
  return randomBytes(5).toString('hex');
}

/** fdGG:GGGG:GGGG::/48 for a Global ID. */
export function ulaBase(globalId: string): Cidr6 {
  return { base: (0xfdn << 120n) | (BigInt(`0x${globalId}`) << 80n), prefix: 48 };
}

function* defaultPool6Candidates(globalId: string): Generator<Cidr6> {
  const base = ulaBase(globalId).base;
  for (let i = 0n; i < 65536n; i++) yield { base: base | (i << 64n), prefix: 64 };
}

export function newPool6(req: PoolRequest6, taken: readonly Cidr6[], globalId: string, gatewayOwner: string): PoolRecord6 {
  let subnet: Cidr6;
  if (req.subnet !== undefined) {
    subnet = parseCidr6(req.subnet);
    if (taken.some((t) => overlaps6(t, subnet))) throw new Forbidden(netMsg.poolOverlap());
  } else {
    const avoid = [...taken, ...(req.routed ?? [])];
    let free: Cidr6 | undefined;
    for (const c of defaultPool6Candidates(globalId)) {
      if (!avoid.some((a) => overlaps6(a, c))) {
        free = c;
        break;
      }
    }
    if (!free) throw new Forbidden(netMsg.noDefaultPool6());
    subnet = free;
  }
  if (subnet.prefix > 126) throw new InvalidArgument(`subnet ${formatCidr6(subnet)} is too small for a network`);
  const gateway = req.gateway === undefined ? subnet.base + 1n : parseAddress6(req.gateway);
  if (!contains6(subnet, gateway)) throw new InvalidArgument(netMsg.gatewayOutside(req.gateway ?? ''));
  let ipRange: string | undefined;
  if (req.ipRange !== undefined) {
    const range = parseCidr6(req.ipRange);
    if (range.prefix < subnet.prefix || !contains6(subnet, range.base)) throw new InvalidArgument(netMsg.rangeOutside(req.ipRange));
    ipRange = formatCidr6(range);
  }
  return {
    subnet: formatCidr6(subnet),
    gateway: formatIPv6(gateway),
    ...(ipRange ? { ipRange } : {}),
    leases: { [formatIPv6(gateway)]: gatewayOwner },
    cursor: '0',
  };
}

/** Allocation lives in the caller's transaction: `pool` is changed in place. */
export function allocateIn6(pool: PoolRecord6, owner: string, opts: { ip?: string }): string {
  const subnet = parseCidr6(pool.subnet);
  if (opts.ip !== undefined) {
    const want = parseIPv6(opts.ip);
    if (want === undefined || !contains6(subnet, want) || want === subnet.base) throw new InvalidArgument(netMsg.invalidAddress(opts.ip));
    const ip = formatIPv6(want);
    const holder = pool.leases[ip];
    if (holder === owner) return ip;
    if (holder !== undefined) throw new Conflict(netMsg.addressInUse());
    pool.leases[ip] = owner;
    return ip;
  }
  const range = pool.ipRange ? parseCidr6(pool.ipRange) : subnet;
  const n = size6(range);
  // A /64 cannot be walked whole; with the cursor moving on, at most every lease plus the
  // subnet-router address stands in the way before a free address turns up.
  const tries = BigInt(Object.keys(pool.leases).length + 2);
  const limit = tries < n ? tries : n;
  for (let i = 0n; i < limit; i++) {
    const offset = (BigInt(pool.cursor) + i) % n;
    const addr = range.base + offset;
    const ip = formatIPv6(addr);
    // The subnet-router anycast address (all host bits zero) is never a host's.
    if (addr === subnet.base || pool.leases[ip] !== undefined) continue;
    pool.leases[ip] = owner;
    pool.cursor = ((offset + 1n) % n).toString();
    return ip;
  }
  throw new Unavailable(netMsg.noAvailableAddress());
}

function parseAddress6(text: string): bigint {
  const n = parseIPv6(text);
  if (n === undefined) throw new InvalidArgument(`invalid IP address: ${text}`);
  return n;
}
