// Published ports on the IPv6 loopback address, [::1]:<port>. Kernel DNAT cannot serve them:
// IPv6 has no route_localnet, so a reply de-NATed back to ::1 arrives on a bridge and the
// kernel drops it (a martian destination). So these, and only these, are relayed in
// userland, as Docker's docker-proxy does: TCP connections are piped, UDP datagrams are
// relayed through one socket per client. Every other address is DNATed by nftables.
//
// Lifecycle: start (publish, or restore after a wharfd restart) → stop (unpublish) →
// closeAll (daemon shutdown). The host port was reserved in HostPorts before start.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Proto } from './host-ports.js';

export interface LoopbackTarget {
  proto: Proto;
  /** Port on [::1] */
  hostPort: number;
  /** The container's IPv6 address and port. */
  ip: string;
  port: number;
}

/** A UDP client that has been silent this long loses its relay socket (Docker's docker-proxy: 90 s). */
const UDP_IDLE_MS = 90_000;

interface Listener {
  close(): Promise<void>;
}

export class LoopbackProxies {
  private readonly byOwner = new Map<string, Listener[]>();

  /** Listens on [::1] for each target of `owner`; on failure nothing stays open. */
  async start(owner: string, targets: readonly LoopbackTarget[]): Promise<void> {
    const opened: Listener[] = [];
    try {
      for (const t of targets) opened.push(t.proto === 'tcp' ? await tcpRelay(t) : await udpRelay(t));
    } catch (err) {
      await Promise.all(opened.map((l) => l.close()));
      throw err;
    }
    if (opened.length) this.byOwner.set(owner, [...(this.byOwner.get(owner) ?? []), ...opened]);
  }

  async stop(owner: string): Promise<void> {
    const list = this.byOwner.get(owner) ?? [];
    this.byOwner.delete(owner);
    await Promise.all(list.map((l) => l.close()));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.byOwner.keys()].map((o) => this.stop(o)));
  }
}

function tcpRelay(t: LoopbackTarget): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: t.ip, port: t.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends both: the client sees a reset, as with a refused DNAT.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '::1', port: t.hostPort, ipv6Only: true, exclusive: true }, () => {
      server.off('error', reject);
      // Once listening, an accept failure (EMFILE…) must not become an unhandled 'error'
      // that ends wharfd: that one connection is lost, the relay goes on.
      server.on('error', () => undefined);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function udpRelay(t: LoopbackTarget): Promise<Listener> {
  const front = dgram.createSocket({ type: 'udp6', ipv6Only: true });
  const clients = new Map<string, { sock: dgram.Socket; timer: NodeJS.Timeout }>();
  const drop = (key: string) => {
    const c = clients.get(key);
    if (!c) return;
    clients.delete(key);
    clearTimeout(c.timer);
    c.sock.close();
  };
  front.on('message', (msg, from) => {
    const key = `${from.address}/${from.port}`;
    let c = clients.get(key);
    if (!c) {
      const sock = dgram.createSocket('udp6');
      sock.on('message', (reply) => front.send(reply, from.port, from.address));
      sock.on('error', () => drop(key));
      c = { sock, timer: setTimeout(() => drop(key), UDP_IDLE_MS) };
      clients.set(key, c);
    }
    c.timer.refresh();
    c.sock.send(msg, t.port, t.ip);
  });
  // A send error to one client must not end the relay.
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.bind({ address: '::1', port: t.hostPort, exclusive: true }, () => {
      front.off('error', reject);
      front.on('error', () => undefined);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const key of [...clients.keys()]) drop(key);
            front.close(() => done());
          }),
      });
    });
  });
}
