// HTTP/1.1 over a unix socket with node:http. One request per call; the agent keeps the
// socket alive between calls of one CLI run. Knows nothing of the Engine API beyond the
// error body shape and the upgrade handshake used by attach and exec start.
import http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { apiError, ConnectionError } from './errors.js';

export interface RequestOptions {
  method?: string;
  path: string;
  /** Query parameters; undefined values are left out, objects are JSON-encoded. */
  query?: Record<string, unknown>;
  /** JSON body (object) or a raw stream/buffer (tar, image archives). */
  body?: unknown;
  rawBody?: Readable | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Transport {
  readonly socketPath: string;
  /** Sends a request; resolves with the response once headers arrive and the status is 2xx. */
  request(opts: RequestOptions): Promise<http.IncomingMessage>;
  /** Sends an upgrade request; resolves with the raw socket once `101` arrives. */
  hijack(opts: RequestOptions): Promise<Duplex>;
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

export class UnixTransport implements Transport {
  private readonly agent: http.Agent;
  /** Prefix such as `/v1.45`, set after version negotiation. */
  versionPrefix = '';

  constructor(readonly socketPath: string) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  private build(opts: RequestOptions): { req: http.ClientRequest; sendBody: () => void } {
    const headers: Record<string, string> = { Host: 'docker', 'User-Agent': 'wharf-cli', ...opts.headers };
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (Buffer.isBuffer(opts.rawBody)) {
      headers['Content-Length'] = String(opts.rawBody.length);
    }
    const path = (opts.path === '/_ping' ? '' : this.versionPrefix) + opts.path + encodeQuery(opts.query);
    const req = http.request({
      socketPath: this.socketPath, path, method: opts.method ?? 'GET', headers,
      agent: headers.Upgrade ? false : this.agent, signal: opts.signal,
    });
    const sendBody = (): void => {
      if (payload) req.end(payload);
      else if (Buffer.isBuffer(opts.rawBody)) req.end(opts.rawBody);
      else if (opts.rawBody) opts.rawBody.pipe(req);
      else req.end();
    };
    return { req, sendBody };
  }

  private connectError(err: unknown): unknown {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') return new ConnectionError(this.socketPath, code, { cause: err });
    return err;
  }

  request(opts: RequestOptions): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const { req, sendBody } = this.build(opts);
      req.on('error', (err) => reject(this.connectError(err)));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        if (status === 304) { res.resume(); return resolve(res); }
        readAll(res).then((b) => reject(apiError(status, b.toString('utf8'))), reject);
      });
      sendBody();
    });
  }

  hijack(opts: RequestOptions): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const { req, sendBody } = this.build({
        ...opts,
        headers: { ...opts.headers, Connection: 'Upgrade', Upgrade: 'tcp' },
      });
      req.on('error', (err) => reject(this.connectError(err)));
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      // Docker answers 200 (not 101) to an attach it cannot upgrade, and errors as usual.
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res.socket);
        readAll(res).then((b) => reject(apiError(status, b.toString('utf8'))), reject);
      });
      sendBody();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
