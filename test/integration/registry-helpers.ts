// Registries for tests: Debian's docker-registry (the CNCF distribution reference
// implementation) on 127.0.0.1 with a config per instance, a small token server following
// the distribution token spec, a test CA, and an HTTP proxy that corrupts or cuts blob
// downloads. Every process and file is removed by `close()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, sign } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run } from './harness.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface TestCert {
  dir: string;
  cert: string;
  key: string;
}

/** A self-signed certificate for 127.0.0.1 (its own CA), made with openssl. */
export async function makeCert(name: string): Promise<TestCert> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `wharf-it-cert-${name}-`));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
  if (r.code !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { dir, cert, key };
}

export interface TestRegistry {
  host: string;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

export interface RegistryOptions {
  htpasswd?: Array<{ user: string; password: string }>;
  token?: { realm: string; service: string; issuer: string; certFile: string };
  tls?: TestCert;
}

export async function startRegistry(o: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-registry-'));
  const port = await freePort();
  const lines = ['version: 0.1', 'log:', '  level: error', '  accesslog:', '    disabled: true', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`, '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.cert}`, `    key: ${o.tls.key}`);
  if (o.htpasswd) {
    const file = path.join(dir, 'htpasswd');
    for (const u of o.htpasswd) {
      const r = await run('htpasswd', ['-Bbn', u.user, u.password]);
      await fs.appendFile(file, r.stdout.trim() + '\n');
    }
    lines.push('auth:', '  htpasswd:', '    realm: wharf-test', `    path: ${file}`);
  }
  if (o.token) {
    lines.push('auth:', '  token:', `    realm: ${o.token.realm}`, `    service: ${o.token.service}`, `    issuer: ${o.token.issuer}`, `    rootcertbundle: ${o.token.certFile}`);
  }
  await fs.writeFile(path.join(dir, 'config.yml'), lines.join('\n') + '\n');
  const log = await fs.open(path.join(dir, 'registry.log'), 'a');
  const child: ChildProcess = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const proto = o.tls ? https : http;
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const req = proto.get({ host: '127.0.0.1', port, path: '/v2/', rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${await fs.readFile(path.join(dir, 'registry.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    dataDir: dir,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Requests seen: scope and account. */
  seen: Array<{ scope: string[]; account: string | null; method: string }>;
  close(): Promise<void>;
}

/**
 * The distribution token spec's token endpoint: GET ?service=&scope= with basic auth (or
 * POST a refresh token). Known users get what they ask for; anonymous callers get pull only.
 * Tokens are RS256 JWTs whose x5c names the certificate the registry trusts.
 */
export async function startTokenServer(o: { cert: TestCert; users: Record<string, string> }): Promise<TokenServer> {
  const certPem = await fs.readFile(o.cert.cert, 'utf8');
  const keyPem = await fs.readFile(o.cert.key, 'utf8');
  const der = Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const service = 'wharf-test-registry';
  const issuer = 'wharf-test-issuer';
  const seen: TokenServer['seen'] = [];
  const refreshTokens = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      let account: string | null = null;
      let scopes = url.searchParams.getAll('scope');
      if (req.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        account = refreshTokens.get(form.get('refresh_token') ?? '') ?? null;
        if (!account) {
          res.writeHead(401).end('{"details":"invalid refresh token"}');
          return;
        }
        scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      } else {
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
        if (basic) {
          const [u, p] = Buffer.from(basic[1]!, 'base64').toString().split(':');
          if (o.users[u!] !== p) {
            res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}');
            return;
          }
          account = u!;
        }
      }
      seen.push({ scope: scopes, account, method: req.method ?? '' });
      const access = scopes.map((s) => {
        const [type, name, actions] = s.split(':');
        const allowed = (actions ?? '').split(',').filter((a) => account !== null || a === 'pull');
        return { type, name, actions: allowed };
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
      const claims = { iss: issuer, sub: account ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
      const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
      const token = `${signing}.${b64url(sign('sha256', Buffer.from(signing), keyPem))}`;
      const body: Record<string, unknown> = { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() };
      if (account && url.searchParams.get('offline_token') === 'true') {
        const rt = createHash('sha256').update(token).digest('hex');
        refreshTokens.set(rt, account);
        body.refresh_token = rt;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * Listens on 127.0.0.1 on a free port: the `host:port` and a close that also ends kept-alive
 * connections (a test's front must not hold its registry's sockets open after the test).
 */
async function listenOnLoopback(server: http.Server): Promise<{ host: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type ProxyMode = 'pass' | 'corrupt' | 'cut-once' | 'slow';

export interface BlobProxy {
  host: string;
  mode: ProxyMode;
  /** Blob GETs seen, with their Range header. */
  blobGets: Array<{ path: string; range?: string }>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a registry. For blob GETs: `corrupt` flips a byte in the
 * middle, `cut-once` drops the connection halfway through the first download of each
 * blob, `slow` pauses 100 ms after every chunk. Blobs under 4 KiB (configs) pass untouched.
 */
export async function startBlobProxy(target: string, mode: ProxyMode): Promise<BlobProxy> {
  const cut = new Set<string>();
  const state: BlobProxy = { host: '', mode, blobGets: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    const isBlob = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '');
    if (isBlob) state.blobGets.push({ path: req.url!, range: req.headers.range });
    const up = http.request({ host: '127.0.0.1', port: Number(target.split(':')[1]), path: req.url, method: req.method, headers: { ...req.headers, host: target } }, (ur) => {
      const headers = { ...ur.headers };
      if (headers.location) headers.location = headers.location.replace(`//${target}`, `//${state.host}`);
      res.writeHead(ur.statusCode ?? 502, headers);
      const total = Number(ur.headers['content-length'] ?? 0);
      // Configs (small) pass; layers get the treatment.
      if (!isBlob || state.mode === 'pass' || (ur.statusCode !== 200 && ur.statusCode !== 206) || total < 4096) return void ur.pipe(res);
      let sent = 0;
      ur.on('data', (chunk: Buffer) => {
        let c = chunk;
        if (state.mode === 'corrupt' && sent <= total / 2 && sent + c.length > total / 2) {
          c = Buffer.from(c);
          const i = Math.floor(total / 2) - sent;
          c[i] = c[i]! ^ 0xff;
        }
        if (state.mode === 'cut-once' && !cut.has(req.url!) && sent + c.length > total / 2) {
          cut.add(req.url!);
          res.write(c.subarray(0, Math.max(0, Math.floor(total / 2) - sent)));
          ur.destroy();
          res.socket?.destroy();
          return;
        }
        sent += c.length;
        if (state.mode === 'slow') {
          ur.pause();
          res.write(c);
          setTimeout(() => ur.resume(), 100);
        } else res.write(c);
      });
      ur.on('end', () => res.end());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  Object.assign(state, await listenOnLoopback(server));
  return state;
}

export interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
  contentRange?: string;
  contentLength?: number;
}

/** Answers a request itself (true) or lets it through to the registry (false). */
export type Interceptor = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

export interface FaultFront {
  host: string;
  /** Every request that reached the front. */
  seen: SeenRequest[];
  /** Tried in order before proxying; tests add and clear them. */
  interceptors: Interceptor[];
  /** When set, every request needs these basic credentials (401 with a Basic challenge otherwise). */
  basicAuth?: { user: string; password: string };
  close(): Promise<void>;
}

/**
 * A front for a registry (plain http on 127.0.0.1) that can require basic auth and answer
 * chosen requests itself: errors, oversized manifests, redirects. The Host header is passed
 * on, so upload locations the registry makes point back at the front.
 */
export async function startFaultFront(target: string): Promise<FaultFront> {
  const front: FaultFront = { host: '', seen: [], interceptors: [], close: async () => undefined };
  const server = http.createServer((req, res) => {
    front.seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      contentRange: req.headers['content-range'],
      contentLength: req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined,
    });
    if (front.basicAuth) {
      const want = `Basic ${Buffer.from(`${front.basicAuth.user}:${front.basicAuth.password}`).toString('base64')}`;
      if (req.headers.authorization !== want) {
        req.resume();
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="wharf-test-front"', 'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
    }
    for (const i of front.interceptors) if (i(req, res)) return;
    const up = http.request({ host: '127.0.0.1', port: Number(target.split(':')[1]), path: req.url, method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  Object.assign(front, await listenOnLoopback(server));
  return front;
}

export interface BlobStorage {
  /** Base URL, on 127.0.0.2: another host than the registry's. */
  base: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

/** A "storage backend" on another host: GET /<repo...>/blobs/<digest> serves the registry's blob. */
export async function startBlobStorage(registry: string): Promise<BlobStorage> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    http.get({ host: '127.0.0.1', port: Number(registry.split(':')[1]), path: `/v2${req.url}` }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, { 'Content-Type': 'application/octet-stream', ...(ur.headers['content-length'] ? { 'Content-Length': ur.headers['content-length'] } : {}) });
      ur.pipe(res);
    }).on('error', () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.2', r));
  return {
    base: `http://127.0.0.2:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A tar holding one file of random (incompressible) bytes: a layer nothing else has. */
export async function randomLayerTar(bytes: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-rand-'));
  await fs.writeFile(path.join(dir, 'data'), randomBytes(bytes));
  const tar = `${dir}.tar`;
  await run('tar', ['-cf', tar, '-C', dir, 'data']);
  await fs.rm(dir, { recursive: true, force: true });
  return tar;
}
