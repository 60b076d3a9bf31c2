import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from './client.js';
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
