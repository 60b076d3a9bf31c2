// The Engine API over HTTP/1.1. Paths come versioned (`/v1.50/containers/json`) or not;
// requests that ask to upgrade (attach, exec start) are answered on the raw socket.
// Every failure becomes Docker's `{"message": …}` body with the status from `httpStatus`;
// a handler's error never reaches the process.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from '../contract/index.js';
import { InvalidArgument, NotFound } from '../errdefs/index.js';
import { RequestContext } from './context.js';
import { errorBody, httpStatus } from './errors.js';
import type { Router } from './router.js';

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

export interface ApiLogger {
  error(message: string, err?: unknown): void;
  debug?(message: string): void;
}

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am - bm || an - bn;
}

function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    'Ostype': 'linux',
    'Server': `Docker/${ENGINE_VERSION} (linux)`,
  };
}

export function createApiServer(router: Router, log: ApiLogger): http.Server {
  const server = http.createServer({ keepAliveTimeout: 60_000 });

  const dispatch = async (req: IncomingMessage, res: ServerResponse | undefined, hijack?: { socket: Duplex; head: Buffer }) => {
    const url = new URL(req.url ?? '/', 'http://wharf');
    let path = url.pathname;
    let version = API_VERSION;
    const m = VERSION_PREFIX.exec(path);
    if (m) {
      version = m[1];
      path = m[2];
    }
    if (compareVersions(version, API_VERSION) > 0) {
      throw new InvalidArgument(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
    }
    if (compareVersions(version, MIN_API_VERSION) < 0) {
      throw new InvalidArgument(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
    const found = router.match(req.method ?? 'GET', path);
    if (found === 'no-route' || found === 'bad-method') throw new NotFound(`page not found`);
    const ctx = new RequestContext(req, res, found.params, url, version, hijack);
    // A client that hangs up cancels its long operations (wait, logs -f, import).
    // (`res` closes when the answer is done or the peer goes; a keep-alive socket outlives
    // many requests, so listening there would pile up listeners.)
    const onClose = () => ctx.abort.abort();
    if (res) res.once('close', onClose);
    else hijack?.socket.once('close', onClose);
    await found.handler(ctx);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(commonHeaders())) res.setHeader(k, v);
    dispatch(req, res).catch((err) => {
      const status = httpStatus(err);
      if (status >= 500) log.error(`${req.method} ${req.url}`, err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (status === 304) {
        res.writeHead(304).end();
        return;
      }
      const text = JSON.stringify(errorBody(err));
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    dispatch(req, undefined, { socket, head }).catch((err) => {
      const status = httpStatus(err);
      if (status >= 500) log.error(`${req.method} ${req.url} (upgrade)`, err);
      if (!socket.writable) return;
      const text = JSON.stringify(errorBody(err));
      const headers = Object.entries({ ...commonHeaders(), 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n${headers}\r\n${text}`);
    });
  });

  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

/** Writes the 101 answer that turns the connection into a raw stream (Docker's hijack). */
export function acceptUpgrade(socket: Duplex, opts: { tty: boolean }): void {
  const contentType = opts.tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  const headers = Object.entries({ ...commonHeaders(), 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(`HTTP/1.1 101 UPGRADED\r\n${headers}\r\n`);
}
