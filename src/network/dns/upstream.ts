// Forwarding to the host's resolvers. Each upstream gets its own query ID and, over UDP,
// its own ephemeral socket, so a reply is matched by socket, ID and question; anything
// else arriving on that socket is ignored (off-path spoofing has to guess port and ID).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';

export interface Upstream {
  address: string;
  /** Default 53. */
  port?: number;
}

export interface ForwardOptions {
  /** Per upstream; the next one is tried when it passes. */
  timeoutMs: number;
  /** TCP when the client asked over TCP (the answer may be larger than a datagram). */
  transport: 'udp' | 'tcp';
}

/** Docker tries at most three external servers (libnetwork `maxExtDNS`). */
export const MAX_UPSTREAMS = 3;

/**
 * Sends `query` (a whole DNS message) to each upstream in turn until one answers; returns
 * the answer with the client's ID restored, or undefined when all failed or timed out.
 */
export async function forward(query: Buffer, upstreams: readonly Upstream[], options: ForwardOptions): Promise<Buffer | undefined> {
  const clientId = query.readUInt16BE(0);
  for (const upstream of upstreams.slice(0, MAX_UPSTREAMS)) {
    const id = randomInt(0, 0x10000);
    const out = Buffer.from(query);
    out.writeUInt16BE(id, 0);
    const send = options.transport === 'tcp' ? exchangeTcp : exchangeUdp;
    const answer = await send(out, upstream, options.timeoutMs).catch(() => undefined);
    if (!answer || answer.length < 12 || answer.readUInt16BE(0) !== id || !sameQuestion(out, answer)) continue;
    answer.writeUInt16BE(clientId, 0);
    return answer;
  }
  return undefined;
}

/** The question section starts at byte 12 in both; a reply must carry the same one. */
function sameQuestion(query: Buffer, answer: Buffer): boolean {
  const end = questionEnd(query);
  if (end === undefined || answer.length < end) return false;
  // Case may differ (0x20 randomisation by a resolver upstream of ours); compare folded.
  return query.subarray(12, end).toString('latin1').toLowerCase() === answer.subarray(12, end).toString('latin1').toLowerCase();
}

function questionEnd(message: Buffer): number | undefined {
  if (message.readUInt16BE(4) !== 1) return undefined;
  let at = 12;
  while (at < message.length) {
    const len = message[at];
    if (len === 0) return at + 1 + 4 <= message.length ? at + 1 + 4 : undefined;
    if (len >= 0xc0) return undefined; // a query's own question is never compressed
    at += len + 1;
  }
  return undefined;
}

function exchangeUdp(message: Buffer, upstream: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(upstream.address) ? 'udp6' : 'udp4');
    const expected = message.readUInt16BE(0);
    let finished = false;
    const done = (answer: Buffer | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (answer, from) => {
      if (from.address !== upstream.address || from.port !== (upstream.port ?? 53)) return;
      if (answer.length >= 12 && answer.readUInt16BE(0) === expected) done(answer);
    });
    socket.send(message, upstream.port ?? 53, upstream.address);
  });
}

function exchangeTcp(message: Buffer, upstream: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.address, port: upstream.port ?? 53 });
    let received = Buffer.alloc(0);
    let finished = false;
    const done = (answer: Buffer | undefined) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        done(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length, 0);
    socket.write(Buffer.concat([length, message]));
  });
}
