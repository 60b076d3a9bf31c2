// Registries misbehaving, through a front that answers chosen requests itself: manifest
// fetches retried on 429/5xx, Docker's wording for 401/403/404/429/5xx, oversized
// manifests, blob redirects to another host (followed, credentials not forwarded), and
// chunked uploads (the daemon's threshold lowered through the environment).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type http from 'node:http';
import { startDaemon, type TestDaemon } from './harness.js';
import { randomLayerTar, startBlobStorage, startFaultFront, startRegistry, type BlobStorage, type FaultFront, type Interceptor, type TestRegistry } from './registry-helpers.js';

const CHUNKED_ABOVE = 64 * 1024;
const CHUNK_BYTES = 40_000;

/** Answers `times` matching requests with `status` and a registry error body, then lets them through. */
function failing(match: RegExp, status: number, o: { times: number; code?: string; message?: string; headers?: Record<string, string> }): Interceptor & { hits: number } {
  const i = Object.assign(
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!match.test(req.url ?? '') || i.hits >= o.times) return false;
      i.hits++;
      req.resume();
      const body = o.code ? JSON.stringify({ errors: [{ code: o.code, message: o.message ?? '' }] }) : 'upstream trouble';
      res.writeHead(status, { 'Content-Type': o.code ? 'application/json' : 'text/plain', ...(o.headers ?? {}) }).end(body);
      return true;
    },
    { hits: 0 },
  );
  return i;
}

describe('registries: faults, redirects, chunked uploads', () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let front: FaultFront;
  let storage: BlobStorage;
  const tars: string[] = [];

  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker', input?: string) => {
    const r = await d[cli](args, { timeoutMs: 120_000, ...(input !== undefined ? { input } : {}) });
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const fails = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => {
    const r = await d[cli](args, { timeoutMs: 120_000 });
    assert.notEqual(r.code, 0, `${cli} ${args.join(' ')} should fail: ${r.stdout}`);
    return r.stderr.trim();
  };
  /** An image with one random layer of `bytes`, pushed as `name` (then removed locally unless `keep`). */
  const pushRandom = async (name: string, bytes: number, o: { keep?: boolean } = {}) => {
    const tar = await randomLayerTar(bytes);
    tars.push(tar);
    await ok(['import', tar, name]);
    const id = (await ok(['image', 'inspect', '-f', '{{.Id}}', name])).trim();
    await ok(['push', name]);
    if (!o.keep) await ok(['rmi', name]);
    return id;
  };
  const noImage = async (ref: string) => assert.equal((await ok(['images', '-q', ref])).trim(), '');

  before(async () => {
    reg = await startRegistry();
    front = await startFaultFront(reg.host);
    storage = await startBlobStorage(reg.host);
    d = await startDaemon({
      env: { WHARF_REGISTRY_CHUNKED_ABOVE: String(CHUNKED_ABOVE), WHARF_REGISTRY_CHUNK_BYTES: String(CHUNK_BYTES), WHARF_REGISTRY_BACKOFF_MS: '20' },
    });
  });
  after(async () => {
    try {
      await d?.close();
    } finally {
      await front?.close();
      await storage?.close();
      await reg?.close();
      for (const t of tars) await fs.rm(t, { force: true });
    }
  });

  test('manifest fetches are retried on 503 and 429 (Retry-After honoured), then the pull succeeds', async () => {
    const name = `${front.host}/retry`;
    await pushRandom(`${name}:1`, 4096);
    const unavailable = failing(/\/v2\/retry\/manifests\/1$/, 503, { times: 2 });
    const slowDown = failing(/\/v2\/retry\/manifests\/1$/, 429, { times: 1, code: 'TOOMANYREQUESTS', message: 'slow down', headers: { 'Retry-After': '0' } });
    front.interceptors = [unavailable, slowDown];
    const before = front.seen.length;
    try {
      await ok(['pull', `${name}:1`]);
    } finally {
      front.interceptors = [];
    }
    assert.equal(unavailable.hits, 2);
    assert.equal(slowDown.hits, 1);
    const gets = front.seen.slice(before).filter((r) => r.method === 'GET' && r.url === '/v2/retry/manifests/1');
    assert.equal(gets.length, 4, JSON.stringify(gets));
    await ok(['rmi', `${name}:1`]);
  });

  test('error wording: 401, 403, 404, 429 and 5xx read as Docker’s', async () => {
    const name = `${front.host}/words`;
    const pullErr = async (status: number, o: { code?: string; message?: string } = {}) => {
      front.interceptors = [failing(/\/v2\/words\/manifests\//, status, { times: 1000, ...o })];
      try {
        return await fails(['pull', `${name}:1`]);
      } finally {
        front.interceptors = [];
      }
    };
    const denied = `Error response from daemon: pull access denied for ${name}, repository does not exist or may require 'docker login'`;
    assert.equal(await pullErr(401, { code: 'UNAUTHORIZED', message: 'authentication required' }), `${denied}: unauthorized: authentication required`);
    assert.equal(await pullErr(403, { code: 'DENIED', message: 'requested access to the resource is denied' }), `${denied}: denied: requested access to the resource is denied`);
    assert.equal(await fails(['pull', `${name}:1`]), `Error response from daemon: manifest for ${name}:1 not found: manifest unknown: manifest unknown`);
    assert.equal(await pullErr(429, { code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }), 'Error response from daemon: toomanyrequests: You have reached your pull rate limit.');
    assert.equal(await pullErr(500), 'Error response from daemon: received unexpected HTTP status: 500 Internal Server Error');
    assert.equal(await pullErr(502, { code: 'UNKNOWN', message: 'ignored: 5xx bodies are not read' }), 'Error response from daemon: received unexpected HTTP status: 502 Bad Gateway');
    await noImage(`${name}:1`);
  });

  test('an oversized manifest is refused before and while reading it', async () => {
    const name = `${front.host}/big`;
    const huge = Buffer.alloc(5 << 20, 0x20);
    front.interceptors = [
      (req, res) => {
        const m = /\/v2\/big\/manifests\/(sized|chunked)$/.exec(req.url ?? '');
        if (!m) return false;
        req.resume();
        const headers: Record<string, string> = { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' };
        if (m[1] === 'sized') headers['Content-Length'] = String(huge.length);
        res.writeHead(200, headers);
        res.end(huge);
        return true;
      },
    ];
    try {
      for (const tag of ['sized', 'chunked']) {
        assert.equal(await fails(['pull', `${name}:${tag}`]), `Error response from daemon: manifest for ${name}:${tag} is too large: registries serve at most 4194304 bytes`);
        await noImage(`${name}:${tag}`);
      }
    } finally {
      front.interceptors = [];
    }
  });

  test('a blob redirect to another host is followed without the registry credentials', async () => {
    const name = `${front.host}/redirected`;
    front.basicAuth = { user: 'carol', password: 'secret-pw' };
    try {
      await ok(['login', front.host, '-u', 'carol', '--password-stdin'], 'docker', 'secret-pw\n');
      const id = await pushRandom(`${name}:1`, 200_000);
      front.interceptors = [
        (req, res) => {
          const m = /^\/v2\/(.+\/blobs\/sha256:[a-f0-9]{64})$/.exec(req.url ?? '');
          if (req.method !== 'GET' || !m) return false;
          req.resume();
          res.writeHead(307, { Location: `${storage.base}/${m[1]}` }).end();
          return true;
        },
      ];
      const before = front.seen.length;
      await ok(['pull', `${name}:1`]);
      assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', `${name}:1`])).trim(), id);
      // The layer and the config came from storage, which never saw the credentials the front required.
      assert.ok(storage.seen.length >= 2, JSON.stringify(storage.seen));
      assert.deepEqual(storage.seen.map((r) => r.authorization), storage.seen.map(() => undefined));
      assert.ok(front.seen.slice(before).some((r) => r.url.includes('/blobs/') && r.authorization?.startsWith('Basic ')));
      await ok(['rmi', `${name}:1`]);
    } finally {
      front.interceptors = [];
      front.basicAuth = undefined;
      await d.docker(['logout', front.host]);
    }
  });

  for (const cli of ['wharf', 'docker'] as const) {
    test(`${cli} run of a missing image pulls it with the stored credentials`, async () => {
      const name = `${front.host}/run-${cli}:1`;
      await ok(['tag', 'busybox', name]);
      front.basicAuth = { user: 'dave', password: 'pw-dave' };
      try {
        await ok(['login', front.host, '-u', 'dave', '--password-stdin'], 'docker', 'pw-dave\n');
        await ok(['push', name]);
        await ok(['rmi', name]);
        const r = await d[cli](['run', '--rm', name, 'echo', 'pulled with credentials'], { timeoutMs: 120_000 });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'pulled with credentials\n');
        assert.match(r.stderr, new RegExp(`^Unable to find image '${name}' locally\n`));
        await ok(['rmi', name]);
      } finally {
        front.basicAuth = undefined;
        await d.docker(['logout', front.host]);
      }
    });
  }

  test('a blob over the chunk threshold is pushed in PATCH chunks and pulls back unchanged', async () => {
    const name = `${front.host}/chunked`;
    const size = 150_000;
    const before = front.seen.length;
    const id = await pushRandom(`${name}:1`, size, { keep: true });
    const patches = front.seen.slice(before).filter((r) => r.method === 'PATCH');
    // The random layer (its gzip is a little larger than the tar) goes up in 40 kB pieces, in order.
    assert.ok(patches.length >= 4, JSON.stringify(patches));
    let next = 0;
    for (const p of patches) {
      const m = /^(\d+)-(\d+)$/.exec(p.contentRange ?? '');
      assert.ok(m, JSON.stringify(p));
      assert.equal(Number(m[1]), next);
      assert.equal(Number(m[2]) - Number(m[1]) + 1, p.contentLength);
      assert.ok(p.contentLength! <= CHUNK_BYTES);
      next = Number(m[2]) + 1;
    }
    // Small blobs (the config) still go up in one PUT.
    assert.ok(front.seen.slice(before).some((r) => r.method === 'PUT' && /\/blobs\/uploads\//.test(r.url) && (r.contentLength ?? 0) > 0));
    await ok(['rmi', `${name}:1`]);
    await ok(['pull', `${name}:1`]);
    assert.equal((await ok(['image', 'inspect', '-f', '{{.Id}}', `${name}:1`])).trim(), id);
    await ok(['rmi', `${name}:1`]);
  });
});
