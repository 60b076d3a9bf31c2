// Published ports: host ports reserved in HostPorts, forwarded by kernel DNAT rules in
// wharf's nft table. The table is regenerated from this model (bridges + every running
// container's mappings) on each change; see nftables.ts for the rules themselves.
import { InvalidArgument } from '../errdefs/index.js';
import { HostPorts, type Proto } from './host-ports.js';
import { applyRuleset, type NftBridge, type NftPort } from './nftables.js';

export interface PublishRequest {
  proto: Proto;
  containerPort: number;
  /** Absent or 0: an ephemeral host port. */
  hostPort?: number;
  /** A host port range's end (`-p 8000-8010:80`). */
  hostPortEnd?: number;
  /** Absent, '' or 0.0.0.0: every host address. */
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

export class PortPublisher {
  private readonly mappings = new Map<string, PortMapping[]>();

  constructor(
    private readonly hostPorts: HostPorts,
    private readonly table: string,
    private readonly bridges: () => NftBridge[],
  ) {}

  /**
   * Reserves the host ports of `owner` (a container) and installs its DNAT rules. All or
   * nothing: a port already in use releases what was reserved and throws Docker's error.
   */
  async publish(owner: string, containerIp: string, requests: readonly PublishRequest[]): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    try {
      for (const r of requests) {
        const hostIp = r.hostIp && r.hostIp !== '' ? r.hostIp : '0.0.0.0';
        if (hostIp.includes(':')) throw new InvalidArgument(`publishing on IPv6 address ${hostIp} is not supported on this network`);
        const hostPort = await this.hostPorts.allocate(owner, { proto: r.proto, hostIp, hostPort: r.hostPort || undefined, hostPortEnd: r.hostPortEnd });
        out.push({ proto: r.proto, containerPort: r.containerPort, hostIp, hostPort, containerIp });
      }
      if (out.length) {
        this.mappings.set(owner, out);
        await this.apply();
      }
      return out;
    } catch (err) {
      this.mappings.delete(owner);
      await this.hostPorts.release(owner);
      throw err;
    }
  }

  async unpublish(owner: string): Promise<void> {
    if (!this.mappings.delete(owner)) return;
    await this.hostPorts.release(owner);
    await this.apply();
  }

  /** At start: the mappings of running containers (from their records); others are forgotten. */
  async restore(live: ReadonlyMap<string, PortMapping[]>): Promise<void> {
    this.mappings.clear();
    for (const [owner, m] of live) if (m.length) this.mappings.set(owner, m);
    await this.hostPorts.reconcile(new Set(this.mappings.keys()));
    await this.apply();
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
