// The /networks and POST /build helpers both the CLI and compose use: the requests they send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { EngineClient } from './client.js';
import { buildImage, buildQuery } from './build.js';
import { connectNetwork, findNetwork, listNetworks } from './networks.js';
import { readAll } from './transport.js';

interface Seen { method: string; url: string; body: string; type?: string }

async function withServer(answer: (s: Seen, res: http.ServerResponse) => void, fn: (c: EngineClient, seen: Seen[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-client-shared-'));
  const sock = join(dir, 's.sock');
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      if (req.url === '/_ping') { res.setHeader('API-Version', '1.45'); res.end('OK'); return; }
      const s = { method: req.method ?? '', url: (req.url ?? '').replace(/^\/v[\d.]+/, ''), body: Buffer.concat(chunks).toString(), type: req.headers['content-type'] };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  const c = new EngineClient(sock);
  try { await fn(c, seen); } finally {
    c.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

test('networks: filters as docker sends them, none when empty; 404 reads as absent', async () => {
  await withServer((s, res) => {
    if (s.url.startsWith('/networks/gone')) { res.statusCode = 404; res.setHeader('Content-Type', 'application/json'); res.end('{"message":"network gone not found"}'); return; }
    res.setHeader('Content-Type', 'application/json');
    res.end(s.url.startsWith('/networks?') || s.url === '/networks' ? '[]' : '{"Name":"n"}');
  }, async (c, seen) => {
    await listNetworks(c, { label: ['com.docker.compose.project=p'] });
    await listNetworks(c);
    assert.equal(await findNetwork(c, 'gone'), undefined);
    assert.equal((await findNetwork(c, 'a b'))?.Name, 'n');
    await connectNetwork(c, 'net', 'ctr', { Aliases: ['x'] });
    assert.deepEqual(seen.map((s) => `${s.method} ${decodeURIComponent(s.url)}`), [
      'GET /networks?filters={"label":{"com.docker.compose.project=p":true}}',
      'GET /networks',
      'GET /networks/gone',
      'GET /networks/a b',
      'POST /networks/net/connect',
    ]);
    assert.deepEqual(JSON.parse(seen[4]!.body), { Container: 'ctr', EndpointConfig: { Aliases: ['x'] } });
  });
});

test('build: repeated tags, JSON args, flags only when set; the context is the tar body', async () => {
  assert.equal(buildQuery({}), '');
  const q = new URLSearchParams(buildQuery({ tags: ['a:1', 'b'], dockerfile: 'sub/Dockerfile', buildargs: { X: '1', Y: null }, nocache: true, rm: false, extrahosts: ['h:1.2.3.4', 'g:5.6.7.8'] }).slice(1));
  assert.deepEqual(q.getAll('t'), ['a:1', 'b']);
  assert.deepEqual(Object.fromEntries([...q].filter(([k]) => k !== 't')), {
    dockerfile: 'sub/Dockerfile', buildargs: '{"X":"1","Y":null}', nocache: '1', rm: '0', extrahosts: 'h:1.2.3.4,g:5.6.7.8',
  });
  await withServer((_s, res) => { res.end('{"stream":"Step 1/1\\n"}\n{"aux":{"ID":"sha256:x"}}\n'); }, async (c, seen) => {
    const body = new PassThrough();
    body.end('TARBYTES');
    const out = (await readAll(await buildImage(c, { context: body, tags: ['t'], rm: true }))).toString();
    assert.match(out, /sha256:x/);
    assert.equal(seen[0]!.url, '/build?t=t&rm=1');
    assert.equal(seen[0]!.body, 'TARBYTES');
    assert.equal(seen[0]!.type, 'application/x-tar');
  });
});
