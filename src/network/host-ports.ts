// Host ports for `-p`/`-P`. wharf's own allocations are kept here (persisted, like IPAM), and
// a port someone else has bound is found by binding it briefly ourselves: with kernel DNAT
// that process would silently stop receiving traffic, so Docker's refusal is the right answer.
//
// Layout (v1): <root>/ports.json = { version: 1, ports: { "<proto>/<ip>/<port>": owner } }

import net from 'node:net';
import dgram from 'node:dgram';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Conflict, Unavailable } from '../errdefs/index.js';
import { readJson, writeJsonAtomic, KeyedMutex } from '../store/index.js';
import { netMsg } from './messages.js';

export type Proto = 'tcp' | 'udp';

export interface PortRequest {
  proto: Proto;
  /** Default `0.0.0.0`; IPv6 addresses (`::`, `::1`) are checked apart from IPv4 ones. */
  hostIp?: string;
  /** 0 or absent: a free port from the ephemeral range (`-P`, `-p 80`). */
  hostPort?: number;
  /** `-p 8000-8010:80`: the first free port from hostPort to this one. */
  hostPortEnd?: number;
}

interface PortsFile {
  version: 1;
  ports: Record<string, string>;
}

/** Docker's default dynamic range when /proc cannot be read. */
const EPHEMERAL = { first: 49153, last: 65535 };

const key = (proto: Proto, ip: string, port: number) => `${proto}/${ip}/${port}`;

/** True if a listener could be bound (and was closed again) on ip:port. */
export function canBind(proto: Proto, ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (proto === 'tcp') {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      // ipv6Only: `::` is checked for IPv6 alone; the IPv4 side has its own entry.
      s.listen({ host: ip, port, exclusive: true, ipv6Only: ip.includes(':') }, () => s.close(() => resolve(true)));
    } else {
      const s = dgram.createSocket(ip.includes(':') ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind({ address: ip, port, exclusive: true }, () => s.close(() => resolve(true)));
    }
  });
}

export class HostPorts {
  private readonly lock = new KeyedMutex();

  private constructor(private readonly file: string, private readonly state: PortsFile) {}

  static async open(root: string): Promise<HostPorts> {
    await fs.mkdir(root, { recursive: true });
    const file = path.join(root, 'ports.json');
    return new HostPorts(file, (await readJson<PortsFile>(file)) ?? { version: 1, ports: {} });
  }

  /** Reserves a host port for `owner`; the chosen port. Refused in Docker's words if taken. */
  allocate(owner: string, req: PortRequest): Promise<number> {
    return this.lock.run('ports', async () => {
      const ip = req.hostIp || '0.0.0.0';
      const fixed = req.hostPort !== undefined && req.hostPort > 0 && !(req.hostPortEnd && req.hostPortEnd > req.hostPort);
      const candidates = fixed ? [req.hostPort!]
        : req.hostPort ? Array.from({ length: req.hostPortEnd! - req.hostPort + 1 }, (_, i) => req.hostPort! + i)
        : await this.ephemeralCandidates();
      for (const port of candidates) {
        if (this.taken(req.proto, ip, port)) {
          if (fixed) throw new Conflict(netMsg.portAllocated(ip, port));
          continue;
        }
        if (!(await canBind(req.proto, ip, port))) {
          if (fixed) throw new Conflict(netMsg.portInUse(req.proto, ip, port));
          continue;
        }
        this.state.ports[key(req.proto, ip, port)] = owner;
        await this.save();
        return port;
      }
      if (req.hostPort) throw new Conflict(netMsg.portAllocated(ip, `${req.hostPort}-${req.hostPortEnd}`));
      throw new Unavailable(`no free host port for ${req.proto} on ${ip}`);
    });
  }

  /** Frees every port `owner` holds (container stopped or removed). */
  release(owner: string): Promise<void> {
    return this.lock.run('ports', async () => {
      for (const [k, o] of Object.entries(this.state.ports)) if (o === owner) delete this.state.ports[k];
      await this.save();
    });
  }

  /** At start: keep only the ports of owners that still exist. */
  reconcile(liveOwners: ReadonlySet<string>): Promise<void> {
    return this.lock.run('ports', async () => {
      for (const [k, o] of Object.entries(this.state.ports)) if (!liveOwners.has(o)) delete this.state.ports[k];
      await this.save();
    });
  }

  /** A family's wildcard (0.0.0.0, ::) and its specific addresses conflict, as for real sockets. */
  private taken(proto: Proto, ip: string, port: number): boolean {
    const v6 = ip.includes(':');
    const any = v6 ? '::' : '0.0.0.0';
    return Object.keys(this.state.ports).some((k) => {
      const [p, i, n] = k.split('/');
      return p === proto && Number(n) === port && i.includes(':') === v6 && (i === ip || i === any || ip === any);
    });
  }

  private async ephemeralCandidates(): Promise<number[]> {
    let { first, last } = EPHEMERAL;
    try {
      const [a, b] = (await fs.readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
      if (a > 0 && b >= a) [first, last] = [a, b];
    } catch {
      // keep Docker's default
    }
    const n = last - first + 1;
    const start = Math.floor(Math.random() * n);
    return Array.from({ length: Math.min(n, 200) }, (_, i) => first + ((start + i) % n));
  }

  private async save(): Promise<void> {
    await writeJsonAtomic(this.file, this.state);
  }
}
