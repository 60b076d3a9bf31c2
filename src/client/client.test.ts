import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CLIENT_API_VERSION, EngineClient } from './client.js';
import { readAll } from './transport.js';
import { ConnectionError, isApiError } from './errors.js';
import { encodeFrame, FrameDecoder } from './stdcopy.js';
import { NotFound } from '../errdefs/index.js';

async function withServer(handler: http.RequestListener, fn: (sock: string, server: http.Server) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-client-'));
  const sock = join(dir, 's.sock');
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(sock, r));
  try { await fn(sock, server); } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test('negotiates the API version down to the daemon and prefixes paths', async () => {
  const seen: string[] = [];
  await withServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/_ping') { res.setHeader('API-Version', '1.41'); res.end('OK'); return; }
    res.setHeader('Content-Type', 'application/json'); res.end('{"Version":"x"}');
  }, async (sock) => {
    const c = new EngineClient(sock);
    await c.negotiate();
    assert.equal(c.apiVersion, '1.41');
    assert.equal((await c.version()).Version, 'x');
    c.close();
  });
  assert.deepEqual(seen, ['/_ping', '/v1.41/version']);
});

test('no ping: requests carry our version, and a "too new" answer lowers it once', async () => {
  const seen: string[] = [];
  await withServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const v = /^\/v([\d.]+)\//.exec(req.url ?? '')?.[1];
    if (v && v !== '1.41') { res.statusCode = 400; res.end(`{"message":"client version ${v} is too new. Maximum supported API version is 1.41"}`); return; }
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { res.setHeader('Content-Type', 'application/json'); res.end(JSON.stringify({ Id: body })); });
  }, async (sock) => {
    const c = new EngineClient(sock);
    const r = await c.createContainer({ Image: 'busybox' });
    assert.equal(r.Id, '{"Image":"busybox"}'); // the body went out again with the retry
    await c.version();
    assert.equal(c.apiVersion, '1.41');
    c.close();
  });
  assert.deepEqual(seen, [`POST /v${CLIENT_API_VERSION}/containers/create`, 'POST /v1.41/containers/create', 'GET /v1.41/version']);
});

test('a streamed body is sent chunked after a ping; keep-alive reuses one connection', async () => {
  const seen: string[] = [];
  const ports = new Set<number | string>();
  let upload = '';
  await withServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    ports.add(`${req.socket.remoteAddress}:${(req.socket as unknown as { _handle: { fd: number } })._handle.fd}`);
    if (req.url === '/_ping') { res.setHeader('API-Version', '1.50'); res.end('OK'); return; }
    req.on('data', (c) => { upload += c; });
    req.on('end', () => res.end('{"stream":"done"}\n'));
  }, async (sock) => {
    const c = new EngineClient(sock);
    const res = await c.loadImages(Readable.from([Buffer.from('abc'), Buffer.from('def')]));
    assert.equal((await readAll(res)).toString(), '{"stream":"done"}\n');
    await c.loadImages(Buffer.from('xyz'));
    c.close();
  });
  assert.equal(upload, 'abcdefxyz');
  assert.deepEqual(seen, ['GET /_ping', `POST /v${CLIENT_API_VERSION}/images/load`, `POST /v${CLIENT_API_VERSION}/images/load`]);
  assert.equal(ports.size, 1);
});

test('onUnreachable runs once when no daemon listens, then the request goes through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-client-'));
  const sock = join(dir, 's.sock');
  const server = http.createServer((_req, res) => res.end('{"Version":"late"}'));
  let calls = 0;
  const c = new EngineClient(sock, { onUnreachable: async () => { calls++; await new Promise<void>((r) => server.listen(sock, r)); } });
  try {
    assert.equal((await c.version()).Version, 'late');
    assert.equal(calls, 1);
  } finally {
    c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSON errors become typed errors with status and message', async () => {
  await withServer((_req, res) => { res.statusCode = 404; res.end('{"message":"No such container: nope"}'); }, async (sock) => {
    const c = new EngineClient(sock);
    await assert.rejects(c.inspectContainer('nope'), (e: unknown) => isApiError(e) && e instanceof NotFound && e.statusCode === 404 && e.message === 'No such container: nope');
    c.close();
  });
});

test('a missing socket is a ConnectionError carrying ENOENT', async () => {
  const c = new EngineClient('/nonexistent/wharf.sock');
  await assert.rejects(c.ping(), (e: unknown) => e instanceof ConnectionError && e.code === 'ENOENT');
});

test('hijack: 101 upgrade, framed output, half-closed stdin still reads', async () => {
  await withServer(() => undefined, async (sock, server) => {
    server.on('upgrade', (req, socket) => {
      assert.equal(req.headers.upgrade, 'tcp');
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      const got: Buffer[] = [];
      socket.on('data', (b: Buffer) => got.push(b));
      socket.on('end', () => {
        // After our stdin EOF the daemon still sends output, then closes.
        socket.write(encodeFrame(1, Buffer.concat(got)));
        socket.end(encodeFrame(2, Buffer.from('bye\n')));
      });
    });
    const c = new EngineClient(sock);
    const conn = await c.attachContainer('x', { stream: true, stdin: true, stdout: true, stderr: true });
    const outs: string[] = []; const errs: string[] = [];
    const dec = new FrameDecoder({ stdout: (b) => outs.push(b.toString()), stderr: (b) => errs.push(b.toString()) });
    conn.on('data', (b: Buffer) => dec.push(b));
    conn.resume(); // handed over paused
    conn.end('hello\n');
    await new Promise((r) => conn.on('close', r));
    assert.deepEqual([outs.join(''), errs.join('')], ['hello\n', 'bye\n']);
    c.close();
  });
});

test('frame decoder handles frames split across chunks', () => {
  const all = Buffer.concat([encodeFrame(1, Buffer.from('abc')), encodeFrame(2, Buffer.from('de'))]);
  const outs: string[] = [];
  const dec = new FrameDecoder({ stdout: (b) => outs.push(`o:${b}`), stderr: (b) => outs.push(`e:${b}`) });
  for (const byte of all) dec.push(Buffer.from([byte]));
  assert.deepEqual(outs, ['o:abc', 'e:de']);
});
