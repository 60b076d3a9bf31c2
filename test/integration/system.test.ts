// System commands: version, info, /_ping, API version negotiation on the path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { busyboxTar, startDaemon, TARGET, type TestDaemon } from './harness.js';

function raw(socket: string, method: string, urlPath: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path: urlPath }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

const API = TARGET === 'docker' ? process.env.WHARF_REF_API ?? '1.41' : '1.50';
const MIN_API = TARGET === 'docker' ? '1.12' : '1.24';

describe('system', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli} version: Server section names API ${API}, minimum ${MIN_API}`, async () => {
      const r = await d[cli](['version']);
      assert.equal(r.code, 0, r.stderr);
      const server = r.stdout.slice(r.stdout.indexOf('Server'));
      assert.match(server, new RegExp(`^  API version:\\s+${API.replace('.', '\\.')} \\(minimum version ${MIN_API.replace('.', '\\.')}\\)$`, 'm'));
      assert.match(server, /^ Engine:$/m);
      assert.match(server, /^  OS\/Arch:\s+linux\/(amd64|arm64)$/m);
      const f = await d[cli](['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}']);
      assert.equal(f.code, 0, f.stderr);
      assert.equal(f.stdout, `${API} ${MIN_API} linux\n`);
    });
  }

  test('info counts containers by state and images exactly', async () => {
    const imp = await d.docker(['import', '--change', 'CMD ["sh"]', '-', 'second:1'], { input: readFileSync(await busyboxTar()) });
    assert.equal(imp.code, 0, imp.stderr);
    const ids: string[] = [];
    const mk = async (args: string[]) => {
      const r = await d.docker(args);
      assert.equal(r.code, 0, r.stderr);
      ids.push(r.stdout.trim());
    };
    try {
      await mk(['run', '-d', 'busybox', 'sleep', '300']); // running
      await mk(['run', '-d', 'busybox', 'sleep', '300']); // paused below
      await mk(['create', 'busybox', 'true']); // created → stopped
      await mk(['run', '-d', 'busybox', 'sh', '-c', 'exit 3']); // exited → stopped
      assert.equal((await d.docker(['pause', ids[1]])).code, 0);
      assert.equal((await d.docker(['wait', ids[3]])).stdout.trim(), '3');
      for (const cli of ['docker', 'wharf'] as const) {
        const f = await d[cli](['info', '--format', '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}} {{.Images}}']);
        assert.equal(f.code, 0, f.stderr);
        assert.equal(f.stdout, '4 1 1 2 2\n', cli);
        const t = await d[cli](['info']);
        assert.equal(t.code, 0, t.stderr);
        assert.match(t.stdout, /^ Containers: 4\n  Running: 1\n  Paused: 1\n  Stopped: 2\n Images: 2\n/m, cli);
      }
    } finally {
      await d.docker(['unpause', ids[1]]);
      await d.docker(['rm', '-f', ...ids]);
      await d.docker(['rmi', 'second:1']);
    }
    const f = await d.docker(['info', '--format', '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}} {{.Images}}']);
    assert.equal(f.stdout, '0 0 0 0 1\n');
  });

  for (const p of ['/_ping', `/v${API}/_ping`, '/v1.24/_ping']) {
    test(`GET and HEAD ${p} answer OK with API-Version`, async () => {
      const g = await raw(d.socket, 'GET', p);
      assert.equal(g.status, 200);
      assert.equal(g.text, 'OK');
      assert.equal(g.headers['api-version'], API);
      assert.equal(g.headers['cache-control'], 'no-cache, no-store, must-revalidate');
      assert.equal(g.headers['pragma'], 'no-cache');
      assert.equal(g.headers['ostype'], 'linux');
      const h = await raw(d.socket, 'HEAD', p);
      assert.equal(h.status, 200);
      assert.equal(h.text, '');
      assert.equal(h.headers['api-version'], API);
      assert.equal(h.headers['content-length'], '0');
    });
  }

  test('versioned and unversioned paths answer the same', async () => {
    const a = await d.api('GET', '/version');
    const b = await d.api('GET', `/v${API}/version`);
    const c = await d.api('GET', '/v1.24/info');
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(c.status, 200);
    assert.equal((a.json as { ApiVersion: string }).ApiVersion, API);
    assert.equal((b.json as { ApiVersion: string }).ApiVersion, API);
    assert.equal((a.json as { MinAPIVersion: string }).MinAPIVersion, MIN_API);
    assert.equal((c.json as { Images: number }).Images, 1);
  });

  test('a too-new API version is refused with 400 and Docker\'s message', async () => {
    const r = await d.api('GET', '/v9.99/version');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { message: `client version 9.99 is too new. Maximum supported API version is ${API}` });
    const old = await d.api('GET', '/v1.10/version');
    assert.equal(old.status, 400);
    assert.match(old.text, new RegExp(`client version 1.10 is too old. Minimum supported API version is ${MIN_API.replace('.', '\\.')}, please upgrade your client to a newer version`));
  });

  test('unknown paths are 404 with a JSON message', async () => {
    const r = await d.api('GET', '/v1.50/nonsense');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'page not found' });
  });
});
