// One network's embedded DNS server (aardvark-dns's shape, Docker's answers): UDP and TCP
// on the network's gateway address, port 53. Lifecycle: `new` → `listen()` → any number
// of `setRecords` / `setUpstreams` → `close()`. Nothing a client sends can throw out of a
// socket handler: undecodable queries get FORMERR (or nothing, when there is no header to
// answer), and memory is bounded by caps on forwarded queries and TCP connections.
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { Unavailable } from '../../errdefs/index.js';
import { answerLocally, RCODE, reply } from './answer.js';
import { RecordTable, type DnsRecord } from './records.js';
import { forward, type Upstream } from './upstream.js';

export interface DnsServerOptions {
  /** The network's gateway address (tests: any 127.x.y.z). */
  address: string;
  /** Default 53. 0 picks a free port (see `port` after listen). */
  port?: number;
  /** The network's name: `name.<network>` resolves too, and PTR answers use it, as on Docker. */
  networkName?: string;
  /** The host's resolvers (from /etc/resolv.conf). Empty: unknown names are NXDOMAIN (an internal network). */
  upstreams?: Upstream[];
  /** Per upstream attempt. Default 2000 ms (Docker waits 4 s; most clients give up after 5 s in all). */
  upstreamTimeoutMs?: number;
}

/** Queries waiting on upstreams at once; beyond this, new ones are dropped (the client retries). */
const MAX_PENDING_FORWARDS = 512;
const MAX_TCP_CONNECTIONS = 64;
/** An idle TCP client is cut off after this (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10_000;
/** Without EDNS a UDP answer must fit 512 bytes; with it we honour the client's size up to this. */
const MAX_UDP_PAYLOAD = 4096;

export class DnsServer {
  private table = new RecordTable([]);
  private upstreams: Upstream[];
  private clientUpstreams = new Map<string, Upstream[]>();
  private readonly options: DnsServerOptions;
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly connections = new Set<Socket>();
  private pendingForwards = 0;
  private rotation = 0;

  constructor(options: DnsServerOptions) {
    this.options = options;
    this.upstreams = [...(options.upstreams ?? [])];
  }

  /** Replaces the whole table at once; throws InvalidArgument for a malformed address. */
  setRecords(records: readonly DnsRecord[]): void {
    this.table = new RecordTable(records, { domain: this.options.networkName });
  }

  setUpstreams(upstreams: readonly Upstream[]): void {
    this.upstreams = [...upstreams];
  }

  /**
   * Containers started with `--dns`: their queries go to those servers instead of the host's
   * (Docker's per-container external DNS). Keyed by the client's address on this network.
   */
  setClientUpstreams(byClient: ReadonlyMap<string, readonly Upstream[]>): void {
    this.clientUpstreams = new Map([...byClient].map(([ip, ups]) => [ip, [...ups]]));
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    const address = this.udp?.address();
    if (!address) throw new Unavailable('dns server is not listening');
    return address.port;
  }

  /** Binds UDP, then TCP on the same port; on failure nothing stays bound. */
  async listen(): Promise<void> {
    const { address } = this.options;
    const udp = createSocket({ type: isIPv6(address) ? 'udp6' : 'udp4' });
    udp.on('message', (message, from) => void this.onDatagram(message, from));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.options.port ?? 53, address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      // A send error to one client (ICMP unreachable etc.) must not end the server.
      udp.on('error', () => {});
      const tcp = createServer((socket) => this.onConnection(socket));
      tcp.maxConnections = MAX_TCP_CONNECTIONS;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: udp.address().port }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      this.udp = udp;
      this.tcp = tcp;
    } catch (err) {
      udp.close();
      throw new Unavailable(`dns server: cannot listen on ${address}:${this.options.port ?? 53}: ${(err as Error).message}`);
    }
  }

  /** Releases both sockets and cuts open TCP clients; forwards in flight end unanswered. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all([
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  private async onDatagram(message: Buffer, from: RemoteInfo): Promise<void> {
    const udp = this.udp;
    if (!udp) return;
    const answer = await this.handle(message, 'udp', from.address);
    if (!answer || this.udp !== udp) return;
    udp.send(answer, from.port, from.address);
  }

  private onConnection(socket: Socket): void {
    this.connections.add(socket);
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      // Length-prefixed messages (RFC 1035 4.2.2); the prefix caps each at 64 KiB.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        void this.handle(message, 'tcp', socket.remoteAddress ?? '').then((answer) => {
          if (!answer || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(answer.length, 0);
          socket.write(Buffer.concat([length, answer]));
        });
      }
    });
  }

  /** The bytes to send back for one message, or undefined to stay silent. Never throws. */
  private async handle(message: Buffer, transport: 'udp' | 'tcp', client: string): Promise<Buffer | undefined> {
    try {
      return await this.respond(message, transport, client);
    } catch {
      return undefined;
    }
  }

  private async respond(message: Buffer, transport: 'udp' | 'tcp', client: string): Promise<Buffer | undefined> {
    // Shorter than a header, or a response (QR set): nothing to answer, and answering a
    // response could start a loop between two servers.
    if (message.length < 12 || (message[2] & 0x80) !== 0) return undefined;
    const opcode = (message[2] >> 3) & 0x0f;
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return headerOnly(message, RCODE.FORMERR);
    }
    if (opcode !== 0) return headerOnly(message, RCODE.NOTIMP);
    if (query.questions?.length !== 1) return headerOnly(message, RCODE.FORMERR);

    const local = answerLocally(query, this.table, this.rotation++ & 0xffff);
    if (local) return encodeFor(local, query, transport);
    // No host resolvers means an internal network: it forwards nothing, whatever --dns says.
    if (this.upstreams.length === 0) return encodeFor(reply(query, RCODE.NXDOMAIN), query, transport);
    if (this.pendingForwards >= MAX_PENDING_FORWARDS) return undefined;
    this.pendingForwards++;
    try {
      const upstreams = this.clientUpstreams.get(client.replace(/^::ffff:/, '')) ?? this.upstreams;
      const answer = await forward(message, upstreams, {
        timeoutMs: this.options.upstreamTimeoutMs ?? 2000,
        transport,
      });
      return answer ?? encodeFor(reply(query, RCODE.SERVFAIL), query, transport);
    } finally {
      this.pendingForwards--;
    }
  }
}

/** Over UDP an answer larger than the client accepts goes out truncated (TC), question only. */
function encodeFor(packet: Packet, query: DecodedPacket, transport: 'udp' | 'tcp'): Buffer {
  const full = dnsPacket.encode(packet);
  if (transport === 'tcp' || full.length <= udpLimit(query)) return full;
  return dnsPacket.encode({ ...packet, answers: [], flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
}

function udpLimit(query: DecodedPacket): number {
  const opt = query.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.min(Math.max(opt?.udpPayloadSize ?? 512, 512), MAX_UDP_PAYLOAD);
}

/** A reply carrying only the query's ID and the rcode: for queries we cannot parse. */
function headerOnly(message: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(message.readUInt16BE(0), 0);
  out[2] = 0x80 | (message[2] & 0x79); // QR, keep opcode and RD
  out[3] = 0x80 | rcode; // RA
  return out;
}
