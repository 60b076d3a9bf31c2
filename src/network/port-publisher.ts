// Published ports: host ports reserved in HostPorts, forwarded by kernel DNAT rules in
// wharf's nft table. The table is regenerated from this model (bridges + every running
// container's mappings) on each change; see nftables.ts for the rules themselves. Ports on
// [::1] (IPv6 networks) are relayed in userland instead: see loopback-proxy.ts.
import { InvalidArgument } from '../errdefs/index.js';
import { HostPorts, type Proto } from './host-ports.js';
import { applyRuleset, type NftBridge, type NftPort } from './nftables.js';
import { LoopbackProxies, type LoopbackTarget } from './loopback-proxy.js';

export interface PublishRequest {
  proto: Proto;
  containerPort: number;
  /** Absent or 0: an ephemeral host port. */
  hostPort?: number;
  /** A host port range's end (`-p 8000-8010:80`). */
  hostPortEnd?: number;
  /** Absent or '': every host address (both families on an IPv6 network); 0.0.0.0, `::`, `::1`, …: that one. */
  hostIp?: string;
}

/** One mapping in force (Docker's NetworkSettings.Ports entry, plus where it goes). */
export interface PortMapping {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
  containerIp: string;
}

/** Where a container's ports lead: its primary endpoint's addresses. */
export interface PublishTargets {
  ipv4: string;
  /** On an `--ipv6` network: ports are published on IPv6 too. */
  ipv6?: string;
}

export class PortPublisher {
  private readonly mappings = new Map<string, PortMapping[]>();
  private readonly loopback = new LoopbackProxies();

  constructor(
    private readonly hostPorts: HostPorts,
    private readonly table: string,
    private readonly bridges: () => NftBridge[],
  ) {}

  /**
   * Reserves the host ports of `owner` (a container) and installs its DNAT rules. All or
   * nothing: a port already in use releases what was reserved and throws Docker's error.
   * Without a host address, a dual-stack container is published on 0.0.0.0 and on `::`
   * with the same port (Docker's two entries); an explicit address gives its family only.
   */
  async publish(owner: string, targets: PublishTargets, requests: readonly PublishRequest[]): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    try {
      for (const r of requests) {
        const given = r.hostIp && r.hostIp !== '' ? r.hostIp : undefined;
        if (given?.includes(':') && !targets.ipv6) {
          throw new InvalidArgument(`cannot publish on IPv6 address ${given}: the container's network has no IPv6 (network create --ipv6)`);
        }
        const hostIp = given ?? '0.0.0.0';
        const containerIp = hostIp.includes(':') ? targets.ipv6! : targets.ipv4;
        const hostPort = await this.hostPorts.allocate(owner, { proto: r.proto, hostIp, hostPort: r.hostPort || undefined, hostPortEnd: r.hostPortEnd });
        out.push({ proto: r.proto, containerPort: r.containerPort, hostIp, hostPort, containerIp });
        if (!given && targets.ipv6) {
          await this.hostPorts.allocate(owner, { proto: r.proto, hostIp: '::', hostPort });
          out.push({ proto: r.proto, containerPort: r.containerPort, hostIp: '::', hostPort, containerIp: targets.ipv6 });
        }
      }
      if (out.length) {
        this.mappings.set(owner, out);
        await this.apply();
        await this.loopback.start(owner, loopbackTargets(out));
      }
      return out;
    } catch (err) {
      if (this.mappings.delete(owner)) await this.apply().catch(() => undefined);
      await this.hostPorts.release(owner);
      throw err;
    }
  }

  async unpublish(owner: string): Promise<void> {
    await this.loopback.stop(owner);
    if (!this.mappings.delete(owner)) return;
    await this.hostPorts.release(owner);
    await this.apply();
  }

  /** At start: the mappings of running containers (from their records); others are forgotten. */
  async restore(live: ReadonlyMap<string, PortMapping[]>): Promise<void> {
    await this.loopback.closeAll();
    this.mappings.clear();
    for (const [owner, m] of live) if (m.length) this.mappings.set(owner, m);
    await this.hostPorts.reconcile(new Set(this.mappings.keys()));
    await this.apply();
    for (const [owner, m] of this.mappings) {
      // A port taken on ::1 while wharfd was down only loses its loopback relay.
      await this.loopback.start(owner, loopbackTargets(m)).catch(() => undefined);
    }
  }

  /** Daemon shutdown: the loopback relays close (the DNAT rules stay for running containers). */
  close(): Promise<void> {
    return this.loopback.closeAll();
  }

  /** Rewrites wharf's table from the model (also after a network is created or removed). */
  apply(): Promise<void> {
    const ports: NftPort[] = [...this.mappings.values()].flat().map((m) => ({
      proto: m.proto,
      hostIp: m.hostIp,
      hostPort: m.hostPort,
      containerIp: m.containerIp,
      containerPort: m.containerPort,
    }));
    return applyRuleset({ table: this.table, bridges: this.bridges(), ports });
  }
}

/** The mappings that answer on [::1]: those on `::` and on `::1` itself. */
function loopbackTargets(mappings: readonly PortMapping[]): LoopbackTarget[] {
  return mappings
    .filter((m) => m.hostIp === '::' || m.hostIp === '::1')
    .map((m) => ({ proto: m.proto, hostPort: m.hostPort, ip: m.containerIp, port: m.containerPort }));
}
