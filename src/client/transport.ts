// HTTP/1.1 over a unix socket, written on node:net rather than node:http: the CLI makes a
// handful of requests per run and start-up time is a target; node:http's client costs
// ~7 ms of module loading and first-call compilation per run (measured on `wharf version`),
// more than the whole request. One request per connection at a time, idle connections kept
// for the next request of the same run. Knows nothing of the Engine API beyond the error
// body shape and the upgrade handshake used by attach and exec start.
import net from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { apiError, ConnectionError } from './errors.js';
import { bodyDecoder, parseHead, type BodyDecoder, type ResponseHead } from './http1.js';

export interface RequestOptions {
  method?: string;
  /** Path below the version prefix, e.g. `/containers/json`; may carry its own query. */
  path: string;
  /** Query parameters; undefined values are left out, objects are JSON-encoded. */
  query?: Record<string, unknown>;
  /** JSON body (object) or a raw stream/buffer (tar, image archives). */
  body?: unknown;
  rawBody?: Readable | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A response whose status was 2xx (or 304): the body as a stream, with status and headers. */
export interface Response extends Readable {
  readonly statusCode: number;
  /** Header names lower-cased. */
  readonly headers: Record<string, string>;
}

export interface Transport {
  readonly socketPath: string;
  /** Sends a request to the full `path`; resolves once the head arrives with a 2xx status. */
  request(opts: RequestOptions): Promise<Response>;
  /** Sends an upgrade request; resolves with the raw socket, paused, once the daemon answers. */
  hijack(opts: RequestOptions): Promise<Duplex>;
  /** Closes every connection, idle or in flight (hijacked ones too): the run is over. */
  close(): void;
}

export function encodeQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

export async function readAll(res: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** True when the request can be sent again unchanged (its body is not a one-shot stream). */
export function isReplayable(opts: RequestOptions): boolean {
  return !(opts.rawBody && !Buffer.isBuffer(opts.rawBody));
}

class BodyStream extends Readable implements Response {
  constructor(readonly statusCode: number, readonly headers: Record<string, string>, private readonly socket: net.Socket) {
    super();
  }
  override _read(): void { this.socket.resume(); }
  /** A reader that gives up early (destroy) ends the exchange: the connection goes too. */
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.readableEnded) this.socket.destroy();
    cb(err);
  }
}

/** Thrown (internally) when a reused keep-alive connection turned out to be closed by the daemon. */
class StaleConnection extends Error {}

export class UnixTransport implements Transport {
  private readonly idle = new Set<net.Socket>();
  private readonly all = new Set<net.Socket>();

  constructor(readonly socketPath: string) {}

  async request(opts: RequestOptions): Promise<Response> {
    const { res } = await this.exchange(opts, { upgrade: false });
    return res as Response;
  }

  async hijack(opts: RequestOptions): Promise<Duplex> {
    const { socket } = await this.exchange({ ...opts, headers: { ...opts.headers, Connection: 'Upgrade', Upgrade: 'tcp' } }, { upgrade: true });
    return socket;
  }

  close(): void {
    for (const s of this.all) s.destroy();
    this.idle.clear();
  }

  private async exchange(opts: RequestOptions, mode: { upgrade: boolean }): Promise<{ res?: Response; socket: net.Socket }> {
    const reused = this.takeIdle();
    if (!reused) return this.once(await this.dial(), opts, { ...mode, reused: false });
    try {
      return await this.once(reused, opts, { ...mode, reused: true });
    } catch (e) {
      // The daemon may close an idle keep-alive connection just as we reuse it; that
      // request never reached it, so it is safe to send again on a new connection.
      if (e instanceof StaleConnection && isReplayable(opts)) return this.once(await this.dial(), opts, { ...mode, reused: false });
      throw e instanceof StaleConnection ? e.cause : e;
    }
  }

  private takeIdle(): net.Socket | undefined {
    for (const s of this.idle) {
      this.idle.delete(s);
      if (!s.destroyed && s.readyState === 'open') return s;
    }
    return undefined;
  }

  private dial(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.socketPath);
      const fail = (err: NodeJS.ErrnoException): void => {
        const code = err.code;
        reject(code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' ? new ConnectionError(this.socketPath, code, { cause: err }) : err);
      };
      s.once('error', fail);
      s.once('connect', () => {
        s.off('error', fail);
        for (const old of this.all) if (old.destroyed) this.all.delete(old);
        this.all.add(s);
        resolve(s);
      });
    });
  }

  private release(socket: net.Socket, keepAlive: boolean): void {
    socket.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error').removeAllListeners('close');
    if (!keepAlive || socket.destroyed) { socket.destroy(); return; }
    // An idle connection must not keep the CLI process alive.
    socket.unref();
    const drop = (): void => { this.idle.delete(socket); socket.destroy(); };
    socket.once('end', drop).once('error', drop).once('close', drop);
    this.idle.add(socket);
  }

  /** One request/response on `socket`, which is ours alone until the response body ends. */
  private once(socket: net.Socket, opts: RequestOptions, mode: { upgrade: boolean; reused: boolean }): Promise<{ res?: Response; socket: net.Socket }> {
    socket.ref();
    socket.removeAllListeners('end').removeAllListeners('error').removeAllListeners('close');
    socket.resume(); // a reused connection may have been paused by its previous body's reader
    const method = opts.method ?? 'GET';
    return new Promise((resolve, reject) => {
      let buf: Buffer = Buffer.alloc(0);
      let head: ResponseHead | undefined;
      let decoder: BodyDecoder | undefined;
      let res: BodyStream | undefined;
      let errorBody: Buffer[] | undefined;
      const fail = (err: Error): void => {
        socket.destroy();
        if (res) res.destroy(err);
        else reject(!mode.reused || head || buf.length ? err : new StaleConnection('connection closed before a response', { cause: err }));
      };
      const onAbort = (): void => fail(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (keepAlive: boolean): void => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (errorBody && head) reject(apiError(head.statusCode, Buffer.concat(errorBody).toString('utf8')));
        this.release(socket, keepAlive);
      };
      const onBody = (chunk: Buffer): void => {
        const r = (decoder as BodyDecoder).push(chunk);
        for (const d of r.data) {
          if (errorBody) errorBody.push(d);
          else if (!(res as BodyStream).push(d)) socket.pause();
        }
        if (r.done) {
          res?.push(null);
          finish((head as ResponseHead).keepAlive && !r.rest);
        }
      };
      socket.on('data', (chunk: Buffer) => {
        if (head) return onBody(chunk);
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        let parsed;
        try { parsed = parseHead(buf); } catch (e) { return fail(e as Error); }
        if (!parsed) return;
        head = parsed.head;
        const rest = buf.subarray(parsed.bodyStart);
        const status = head.statusCode;
        const ok = (status >= 200 && status < 300) || status === 304;
        if (mode.upgrade && (status === 101 || ok)) {
          // The connection is now a raw stream (Docker answers 200 instead of 101 when it
          // cannot upgrade, and streams the same way). Paused so that nothing, not even its
          // end, is lost before the caller starts reading.
          socket.removeAllListeners('data').removeAllListeners('end').removeAllListeners('error').removeAllListeners('close');
          opts.signal?.removeEventListener('abort', onAbort);
          socket.pause();
          if (rest.length) socket.unshift(rest);
          return resolve({ socket });
        }
        decoder = bodyDecoder(head, method);
        if (ok) {
          res = new BodyStream(status, head.headers, socket);
          resolve({ res, socket });
        } else {
          errorBody = [];
        }
        if (rest.length) onBody(rest);
        else if (decoder.push(Buffer.alloc(0)).done) { res?.push(null); finish(head.keepAlive); }
      });
      socket.on('end', () => {
        if (head && decoder?.endOk()) { res?.push(null); finish(false); return; }
        fail(new Error('connection closed by the daemon before the response ended'));
      });
      socket.on('error', fail);
      socket.on('close', () => { if (!head) fail(new Error('connection closed')); });
      this.send(socket, opts, method).catch(fail);
    });
  }

  private async send(socket: net.Socket, opts: RequestOptions, method: string): Promise<void> {
    const headers: Record<string, string> = { Host: 'docker', 'User-Agent': 'wharf-cli', ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = 'application/json';
    } else if (Buffer.isBuffer(opts.rawBody)) {
      payload = opts.rawBody;
    }
    const stream = opts.rawBody && !Buffer.isBuffer(opts.rawBody) ? opts.rawBody : undefined;
    if (stream) headers['Transfer-Encoding'] = 'chunked';
    else if (payload || method === 'POST' || method === 'PUT') headers['Content-Length'] = String(payload?.length ?? 0);
    let text = `${method} ${opts.path}${encodeQuery(opts.query)} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
    text += '\r\n';
    socket.write(payload ? Buffer.concat([Buffer.from(text, 'latin1'), payload]) : text);
    if (!stream) return;
    for await (const chunk of stream) {
      const b = chunk as Buffer;
      if (!b.length) continue;
      if (socket.destroyed) return; // the daemon answered (an error) before reading it all
      socket.write(`${b.length.toString(16)}\r\n`);
      socket.write(b);
      if (!socket.write('\r\n')) await new Promise((r) => socket.once('drain', r));
    }
    if (!socket.destroyed) socket.write('0\r\n\r\n');
  }
}
