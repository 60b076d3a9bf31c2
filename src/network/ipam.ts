// Address management for wharf's bridge networks: which subnet each network gets and
// which address each endpoint holds. One JSON record, rewritten atomically after every
// change, so a wharfd killed mid-way restarts with the leases it had handed out and never
// gives a running container's address to another one.
//
// Lifecycle: createPool (network create) → allocate/release per endpoint (connect, start,
// stop) → releasePool (network rm). At wharfd start, `reconcile` drops the leases of
// endpoints that no longer exist.
//
// IPv6 (`--ipv6` networks) has its own pools beside the IPv4 ones, with the same owners;
// the v6 arithmetic is in ipam6.ts.
//
// Layout (v1): <root>/ipam.json = { version: 1, pools: { <networkId>: PoolRecord },
//   pools6?: { <networkId>: PoolRecord6 }, ulaGlobalId?: "<10 hex>" } (the v6 keys were
//   added later; a file without them simply has no IPv6 pools yet)

import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Forbidden, InvalidArgument, Conflict, NotFound, Unavailable } from '../errdefs/index.js';
import { writeJsonAtomic, readJson, KeyedMutex } from '../store/index.js';
import { contains, formatCidr, formatIPv4, overlaps, parseCidr, parseIPv4, size, type Cidr } from './cidr.js';
import { netMsg } from './messages.js';
import { allocateIn6, newPool6, newUlaGlobalId, type PoolRecord6, type PoolRequest6 } from './ipam6.js';
import { parseCidr6 } from './cidr6.js';

/** Owner of the gateway's lease; never released by `release` or `reconcile`. */
export const GATEWAY_OWNER = '<gateway>';

export interface PoolRecord {
  subnet: string;
  gateway: string;
  /** `--ip-range`: dynamic addresses come from here; `--ip` may be anywhere in the subnet. */
  ipRange?: string;
  /** address → endpoint (owner) id */
  leases: Record<string, string>;
  /** Next address to try: allocation is serial, so a released address is not reused at once. */
  cursor: number;
}

interface IpamFile {
  version: 1;
  pools: Record<string, PoolRecord>;
  pools6?: Record<string, PoolRecord6>;
  ulaGlobalId?: string;
}

export interface PoolRequest {
  /** `--subnet`; absent: the first default pool free on the host and in wharf. */
  subnet?: string;
  /** `--gateway`; default: the subnet's first address. */
  gateway?: string;
  ipRange?: string;
  /** Subnets routed on the host (`hostRoutedSubnets()`), avoided when choosing a default pool. */
  routed?: readonly Cidr[];
}

/** Docker 20.10's default address pools: 172.17–31.0.0/16, then 192.168.0.0/16 cut into /20s. */
export function* defaultPoolCandidates(): Generator<Cidr> {
  for (let b = 17; b <= 31; b++) yield parseCidr(`172.${b}.0.0/16`);
  for (let c = 0; c < 256; c += 16) yield parseCidr(`192.168.${c}.0/20`);
}

export class Ipam {
  private readonly lock = new KeyedMutex();

  private constructor(private readonly file: string, private readonly state: IpamFile) {}

  static async open(root: string): Promise<Ipam> {
    await fs.mkdir(root, { recursive: true });
    const file = path.join(root, 'ipam.json');
    const state = (await readJson<IpamFile>(file)) ?? { version: 1, pools: {} };
    return new Ipam(file, state);
  }

  pool(networkId: string): Readonly<PoolRecord> | undefined {
    return this.state.pools[networkId];
  }

  pool6(networkId: string): Readonly<PoolRecord6> | undefined {
    return this.state.pools6?.[networkId];
  }

  poolIds(): string[] {
    return [...new Set([...Object.keys(this.state.pools), ...Object.keys(this.state.pools6 ?? {})])];
  }

  /** The IPv6 subnet of an `--ipv6` network (alongside its IPv4 pool). */
  createPool6(networkId: string, req: PoolRequest6): Promise<Readonly<PoolRecord6>> {
    return this.mutate(() => {
      const pools6 = (this.state.pools6 ??= {});
      if (pools6[networkId]) throw new Conflict(`network ${networkId} already has an IPv6 address pool`);
      this.state.ulaGlobalId ??= newUlaGlobalId();
      const taken = Object.values(pools6).map((p) => parseCidr6(p.subnet));
      const record = newPool6(req, taken, this.state.ulaGlobalId, GATEWAY_OWNER);
      pools6[networkId] = record;
      return record;
    });
  }

  /** An IPv6 address for `owner`: `ip` if asked for (`--ip6`), else the next free one. */
  allocate6(networkId: string, owner: string, opts: { ip?: string } = {}): Promise<string> {
    return this.mutate(() => {
      const pool = this.state.pools6?.[networkId];
      if (!pool) throw new NotFound(netMsg.noSuchNetworkPool(networkId));
      return allocateIn6(pool, owner, opts);
    });
  }

  createPool(networkId: string, req: PoolRequest): Promise<Readonly<PoolRecord>> {
    return this.mutate(() => {
      if (this.state.pools[networkId]) throw new Conflict(`network ${networkId} already has an address pool`);
      const taken = Object.values(this.state.pools).map((p) => parseCidr(p.subnet));
      let subnet: Cidr;
      if (req.subnet !== undefined) {
        subnet = parseCidr(req.subnet);
        if (taken.some((t) => overlaps(t, subnet))) throw new Forbidden(netMsg.poolOverlap());
      } else {
        const avoid = [...taken, ...(req.routed ?? [])];
        const free = [...defaultPoolCandidates()].find((c) => !avoid.some((a) => overlaps(a, c)));
        if (!free) throw new Forbidden(netMsg.noDefaultPool());
        subnet = free;
      }
      if (subnet.prefix > 30) throw new InvalidArgument(`subnet ${formatCidr(subnet)} is too small for a network`);
      const gateway = req.gateway === undefined ? subnet.base + 1 : parseAddress(req.gateway);
      if (!contains(subnet, gateway)) throw new InvalidArgument(netMsg.gatewayOutside(req.gateway ?? ''));
      let ipRange: string | undefined;
      if (req.ipRange !== undefined) {
        const range = parseCidr(req.ipRange);
        if (range.prefix < subnet.prefix || !contains(subnet, range.base)) {
          throw new InvalidArgument(netMsg.rangeOutside(req.ipRange));
        }
        ipRange = formatCidr(range);
      }
      const record: PoolRecord = {
        subnet: formatCidr(subnet),
        gateway: formatIPv4(gateway),
        ...(ipRange ? { ipRange } : {}),
        leases: { [formatIPv4(gateway)]: GATEWAY_OWNER },
        cursor: 0,
      };
      this.state.pools[networkId] = record;
      return record;
    });
  }

  releasePool(networkId: string): Promise<void> {
    return this.mutate(() => {
      delete this.state.pools[networkId];
      delete this.state.pools6?.[networkId];
    });
  }

  /** An address for `owner` (an endpoint id): `ip` if asked for (`--ip`), else the next free one. */
  allocate(networkId: string, owner: string, opts: { ip?: string } = {}): Promise<string> {
    return this.mutate(() => {
      const pool = this.mustPool(networkId);
      const subnet = parseCidr(pool.subnet);
      if (opts.ip !== undefined) {
        const want = parseIPv4(opts.ip);
        if (want === undefined || !contains(subnet, want) || !usable(subnet, want)) {
          throw new InvalidArgument(netMsg.invalidAddress(opts.ip));
        }
        const ip = formatIPv4(want);
        const holder = pool.leases[ip];
        if (holder === owner) return ip;
        if (holder !== undefined) throw new Conflict(netMsg.addressInUse());
        pool.leases[ip] = owner;
        return ip;
      }
      const range = pool.ipRange ? parseCidr(pool.ipRange) : subnet;
      const n = size(range);
      for (let i = 0; i < n; i++) {
        const offset = (pool.cursor + i) % n;
        const addr = range.base + offset;
        const ip = formatIPv4(addr);
        if (!usable(subnet, addr) || pool.leases[ip] !== undefined) continue;
        pool.leases[ip] = owner;
        pool.cursor = (offset + 1) % n;
        return ip;
      }
      throw new Unavailable(netMsg.noAvailableAddress());
    });
  }

  /** Frees every address `owner` holds on the network (endpoint gone). */
  release(networkId: string, owner: string): Promise<void> {
    return this.mutate(() => {
      for (const pool of [this.state.pools[networkId], this.state.pools6?.[networkId]]) {
        if (!pool) continue;
        for (const [ip, o] of Object.entries(pool.leases)) if (o === owner) delete pool.leases[ip];
      }
    });
  }

  /** At start: drop leases whose owner is not among the endpoints that still exist. */
  reconcile(liveOwners: ReadonlySet<string>): Promise<number> {
    return this.mutate(() => {
      let dropped = 0;
      for (const pool of [...Object.values(this.state.pools), ...Object.values(this.state.pools6 ?? {})]) {
        for (const [ip, o] of Object.entries(pool.leases)) {
          if (o !== GATEWAY_OWNER && !liveOwners.has(o)) {
            delete pool.leases[ip];
            dropped++;
          }
        }
      }
      return dropped;
    });
  }

  private mustPool(networkId: string): PoolRecord {
    const pool = this.state.pools[networkId];
    if (!pool) throw new NotFound(netMsg.noSuchNetworkPool(networkId));
    return pool;
  }

  /** Runs a change on a copy and persists it; the in-memory state changes only if the write succeeded. */
  private mutate<T>(change: () => T): Promise<T> {
    return this.lock.run('ipam', async () => {
      const before = structuredClone(this.state);
      try {
        const result = change();
        await writeJsonAtomic(this.file, this.state);
        return result;
      } catch (err) {
        Object.assign(this.state, before);
        if (!before.pools6) delete this.state.pools6;
        if (!before.ulaGlobalId) delete this.state.ulaGlobalId;
        throw err;
      }
    });
  }
}

function parseAddress(text: string): number {
  const n = parseIPv4(text);
  if (n === undefined) throw new InvalidArgument(`invalid IP address: ${text}`);
  return n;
}

/** Not the network address nor the broadcast address. */
function usable(subnet: Cidr, addr: number): boolean {
  return addr !== subnet.base && addr !== subnet.base + size(subnet) - 1;
}
