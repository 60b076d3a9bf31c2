// One HTTP exchange with a registry host, redirects included. Credentials (the
// Authorization header) go only to the host that was asked: a blob redirect to another
// host (a storage backend, as registries do) is followed without them.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { SecureContextOptions } from 'node:tls';
import { Unavailable } from '../errdefs/index.js';

export interface TlsSettings extends SecureContextOptions {
  /** false only for insecure registries without a configured CA. */
  verify: boolean;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** Bytes to send, or a stream (sent chunked unless Content-Length is set). */
  body?: Buffer | Readable;
  tls?: (host: string) => TlsSettings | undefined;
  /** Follow 3xx answers (GET/HEAD of blobs); default true. */
  followRedirects?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
  /** The URL that answered (after redirects). */
  url: URL;
}

const MAX_REDIRECTS = 5;
// Keep-alive agents: a pull makes many requests to the same host.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const httpsAgents = new Map<string, https.Agent>();

function agentFor(url: URL, tls: TlsSettings | undefined): http.Agent {
  if (url.protocol === 'http:') return httpAgent;
  // Keyed by the TLS material too: a CA file changed in certs.d takes effect at once.
  const material = tls ? createHash('sha256').update(JSON.stringify([tls.verify, tls.ca?.length ?? 0, String(tls.ca?.[0] ?? ''), String(tls.cert ?? '')])).digest('hex') : '';
  const key = `${url.host}|${material}`;
  let a = httpsAgents.get(key);
  if (!a) {
    const { verify, ...ctx } = tls ?? { verify: true };
    a = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: verify, ...ctx });
    httpsAgents.set(key, a);
  }
  return a;
}

function once(req: HttpRequest, url: URL, headers: Record<string, string>): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:' ? req.tls?.(url.host) : undefined;
    const mod = url.protocol === 'https:' ? https : http;
    const r = mod.request(url, { method: req.method, headers, agent: agentFor(url, tls), signal: req.signal }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
    });
    r.on('error', (err) => reject(err));
    const body = req.body;
    if (body === undefined) r.end();
    else if (Buffer.isBuffer(body)) r.end(body);
    else {
      body.on('error', (err) => r.destroy(err));
      body.pipe(r);
    }
  });
}

/** Sends the request; the caller reads (or drains) `body`. Transport failures are Unavailable. */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { 'User-Agent': 'wharf/1.0 (docker-compatible)', ...(req.headers ?? {}) };
  for (let hop = 0; ; hop++) {
    let res: HttpResponse;
    try {
      res = await once(req, url, headers);
    } catch (err) {
      if (req.signal?.aborted) throw err;
      throw new Unavailable(`${req.method} ${url.href}: ${(err as Error).message}`, { cause: err });
    }
    const location = res.headers.location;
    if (req.followRedirects === false || ![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
    res.body.resume();
    if (hop >= MAX_REDIRECTS) throw new Unavailable(`${req.method} ${req.url.href}: too many redirects`);
    const next = new URL(location, url);
    if (next.host !== req.url.host || next.protocol !== req.url.protocol) {
      const { Authorization: _a, authorization: _b, ...rest } = headers as Record<string, string>;
      headers = rest as typeof headers;
    }
    url = next;
  }
}

/** A body longer than the caller allowed: the registry is not well-behaved, asking again will not help. */
export class BodyTooLarge extends Unavailable {}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.body.destroy();
      throw new BodyTooLarge(`response from ${res.url.host} exceeds ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
