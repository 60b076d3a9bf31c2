// The client side of conmon's attach socket and control FIFO.
//
// `<bundle>/attach` is a SOCK_SEQPACKET socket. Each packet from conmon starts with one
// byte naming the stream (2 stdout, 3 stderr); packets we send are stdin. Shutting down
// our write side is how a client sends EOF: conmon reads 0 bytes and, unless started with
// `--leave-stdin-open`, closes the container's stdin. Note conmon does the same when any
// attach connection simply closes.
// `<bundle>/ctl` is a FIFO of text lines "TYPE HEIGHT WIDTH\n"; type 1 resizes the tty.

import { promises as fs, constants as fsc } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SeqpacketSocket } from 'node-unix-socket';
import { Conflict, Unavailable, errnoCode } from '../errdefs/index.js';
import type { AttachSession } from './types.js';

const STREAM_STDOUT = 2;
const STREAM_STDERR = 3;
/** conmon reads stdin in packets of this size; a larger packet would be cut. */
const MAX_STDIN_PACKET = 8192;
/** sockaddr_un.sun_path is 108 bytes including the NUL. */
const MAX_SOCKET_PATH = 107;

type Output = { stream: 'stdout' | 'stderr'; data: Buffer };

class SeqpacketAttachSession implements AttachSession {
  private outputCbs: ((stream: 'stdout' | 'stderr', data: Buffer) => void)[] = [];
  private endCbs: (() => void)[] = [];
  /** Output that arrived before anyone listened; delivered to the first listener. */
  private pending: Output[] | undefined = [];
  private ended = false;
  private endDelivered = false;
  private stdinClosed = false;

  constructor(private readonly sock: SeqpacketSocket) {
    sock.on('data', (buf: Buffer) => this.onPacket(buf));
    sock.on('end', () => this.finish());
    sock.on('close', () => this.finish());
    sock.on('error', () => this.finish());
  }

  private onPacket(buf: Buffer): void {
    if (buf.length < 1) return;
    const stream = buf[0] === STREAM_STDOUT ? 'stdout' : buf[0] === STREAM_STDERR ? 'stderr' : undefined;
    if (stream === undefined) return;
    const data = Buffer.from(buf.subarray(1));
    if (this.pending) this.pending.push({ stream, data });
    else for (const cb of this.outputCbs) cb(stream, data);
  }

  private finish(): void {
    this.ended = true;
    this.maybeDeliverEnd();
  }

  /** The end is reported only after every output chunk has reached a listener. */
  private maybeDeliverEnd(): void {
    if (!this.ended || this.endDelivered || (this.pending !== undefined && this.pending.length > 0)) return;
    this.endDelivered = true;
    for (const cb of this.endCbs) cb();
  }

  onOutput(cb: (stream: 'stdout' | 'stderr', data: Buffer) => void): void {
    this.outputCbs.push(cb);
    if (this.pending) {
      const queued = this.pending;
      this.pending = undefined;
      for (const o of queued) cb(o.stream, o.data);
    }
    this.maybeDeliverEnd();
  }

  onEnd(cb: () => void): void {
    this.endCbs.push(cb);
    if (this.endDelivered) cb();
    else this.maybeDeliverEnd();
  }

  writeStdin(data: Buffer): void {
    if (this.ended || this.stdinClosed) return;
    for (let off = 0; off < data.length; off += MAX_STDIN_PACKET) {
      this.sock.write(data.subarray(off, Math.min(off + MAX_STDIN_PACKET, data.length)));
    }
  }

  closeStdin(): void {
    if (this.ended || this.stdinClosed) return;
    this.stdinClosed = true;
    this.sock.end();
  }

  close(): void {
    this.pending = undefined;
    try {
      this.sock.destroy();
    } catch {
      // already closed
    }
  }
}

function connect(socketPath: string): Promise<SeqpacketSocket> {
  return new Promise((resolve, reject) => {
    const sock = new SeqpacketSocket();
    const onError = (err: Error) => reject(new Unavailable(`cannot attach: ${err.message}`, { cause: err }));
    sock.once('error', onError);
    try {
      sock.connect(socketPath, () => {
        sock.off('error', onError);
        resolve(sock);
      });
    } catch (err) {
      sock.destroy();
      reject(new Unavailable(`cannot attach to ${socketPath}: ${(err as Error).message}`, { cause: err }));
    }
  });
}

/**
 * Connects to `<dir>/attach`. A path too long for a unix socket address is reached through
 * a short-lived symlink to `dir` in `shortDir` (conmon does the same on its side).
 */
export async function attachTo(dir: string, opts: { shortDir: string }): Promise<AttachSession> {
  const direct = path.join(dir, 'attach');
  if (Buffer.byteLength(direct) <= MAX_SOCKET_PATH) return new SeqpacketAttachSession(await connect(direct));
  await fs.mkdir(opts.shortDir, { recursive: true, mode: 0o700 });
  const link = path.join(opts.shortDir, `a-${randomBytes(6).toString('hex')}`);
  await fs.symlink(dir, link);
  try {
    return new SeqpacketAttachSession(await connect(path.join(link, 'attach')));
  } finally {
    await fs.rm(link, { force: true });
  }
}

/** Resizes the tty of the container (or exec) whose conmon bundle dir is `dir`. */
export async function resizeTerminal(dir: string, size: { height: number; width: number }): Promise<void> {
  const clamp = (n: number) => Math.max(0, Math.min(1000, Math.floor(n)));
  let handle: fs.FileHandle;
  try {
    // Non-blocking: with no conmon reading the FIFO, open fails (ENXIO) instead of hanging.
    handle = await fs.open(path.join(dir, 'ctl'), fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENXIO' || code === 'ENOENT') throw new Conflict('cannot resize: the container is not running', { cause: err });
    throw err;
  }
  try {
    await handle.write(`1 ${clamp(size.height)} ${clamp(size.width)}\n`);
  } finally {
    await handle.close();
  }
}
