// What a route handler gets: the parsed request, and ways to answer it as JSON, as a
// stream, or by taking over the connection (attach/exec hijack).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgument } from '../errdefs/index.js';
import { Query } from './query.js';

/** Docker caps JSON request bodies; anything bigger is a client bug or hostile. */
const MAX_JSON_BODY = 8 * 1024 * 1024;

export interface Hijack {
  socket: Duplex;
  head: Buffer;
}

export class RequestContext {
  readonly query: Query;
  readonly abort: AbortController = new AbortController();

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse | undefined,
    readonly params: Record<string, string>,
    readonly url: URL,
    /** API version from the path prefix, or the current one. */
    readonly apiVersion: string,
    readonly hijack?: Hijack,
  ) {
    this.query = new Query(url.searchParams);
  }

  /** The JSON body, or `fallback` when the body is empty. */
  async json<T>(fallback?: T): Promise<T> {
    const text = (this.hijack ? await this.hijackedBody() : await this.plainBody()).toString('utf8').trim();
    if (text === '') {
      if (fallback !== undefined) return fallback;
      throw new InvalidArgument('bad parameter: request body is empty');
    }
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new InvalidArgument(`invalid JSON: ${(err as Error).message}`);
    }
  }

  private async plainBody(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_BODY) throw new InvalidArgument('request body too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /**
   * On an upgraded connection the body is not parsed by node: its Content-Length bytes
   * are the start of `head` (and maybe of the socket). Take exactly those, so that what
   * follows is the client's stdin.
   */
  private async hijackedBody(): Promise<Buffer> {
    const hijack = this.hijack!;
    const length = Number(this.req.headers['content-length'] ?? 0);
    if (!Number.isInteger(length) || length < 0 || length > MAX_JSON_BODY) throw new InvalidArgument('invalid Content-Length');
    let buf = hijack.head;
    while (buf.length < length) {
      const chunk = await new Promise<Buffer | null>((resolve) => {
        const onData = (c: Buffer) => { cleanup(); resolve(c); };
        const onEnd = () => { cleanup(); resolve(null); };
        const cleanup = () => { hijack.socket.off('data', onData); hijack.socket.off('end', onEnd); hijack.socket.pause(); };
        hijack.socket.on('data', onData);
        hijack.socket.once('end', onEnd);
      });
      if (!chunk) throw new InvalidArgument('request body ended early');
      buf = Buffer.concat([buf, chunk]);
    }
    hijack.head = buf.subarray(length);
    return buf.subarray(0, length);
  }

  /** The response; handlers that hijack have none. */
  get response(): ServerResponse {
    if (!this.res) throw new Error('hijacked request has no response object');
    return this.res;
  }

  send(status: number, body?: unknown): void {
    const res = this.response;
    if (body === undefined) {
      res.writeHead(status, { 'Content-Length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  sendText(status: number, text: string): void {
    this.response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    this.response.end(text);
  }

  /** Starts a chunked response (JSON-lines progress, logs, tar). */
  startStream(contentType: string, status = 200): ServerResponse {
    const res = this.response;
    res.writeHead(status, { 'Content-Type': contentType });
    res.flushHeaders();
    return res;
  }
}
