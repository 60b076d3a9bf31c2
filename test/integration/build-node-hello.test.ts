// The seed's koa example end to end (issue 7): contrib/mkimage-debian.sh debootstraps bookworm
// minbase from the host's apt mirror and imports debian:bookworm + debian:latest; `node` is
// built FROM debian with apt-get install nodejs npm; `hello` is the seed's Dockerfile with its
// app.js; `run -d -p PORT:3000 hello`, and curl prints Hello World. All through
// examples/node-hello/demo.sh, as a user would run it.
// Slow (debootstrap, apt, npm: a few minutes from scratch), so a file of its own. The
// debootstrap tar is kept in WHARF_TEST_CACHE (default /var/cache/wharf-test) between runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REPO, WHARF, run, startDaemon, type TestDaemon } from './harness.js';
import { freePort } from './net-helpers.js';

const EXAMPLE = path.join(REPO, 'examples/node-hello');
const CACHE = process.env.WHARF_TEST_CACHE ?? '/var/cache/wharf-test';

describe('node-hello: debian from debootstrap, node from apt, the seed koa app', { concurrency: false }, () => {
  let d: TestDaemon;

  before(async () => {
    d = await startDaemon({ image: false });
  });
  after(async () => {
    await d.close();
  });

  test('demo.sh: mkimage-debian, build node, build hello, run -d -p PORT:3000, curl → Hello World', { timeout: 900_000 }, async () => {
    const port = await freePort();
    const r = await run('bash', [path.join(EXAMPLE, 'demo.sh'), '--port', String(port), '--cache', CACHE], { env: d.scriptEnv, timeoutMs: 900_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `$ curl localhost:${port}\nHello World\n`);
    // The container is gone again (no --keep).
    assert.equal(await d.ok(['ps', '-aq'], 'wharf'), '');
  });

  test('debian:bookworm and debian:latest: one image, bash as CMD, apt sources from the host mirror', async () => {
    const [a, b] = await Promise.all(['debian:bookworm', 'debian:latest'].map((t) => d.ok(['image', 'inspect', '-f', '{{.Id}} {{json .Config.Cmd}}', t], 'wharf')));
    assert.equal(a, b);
    assert.match(a!, /^sha256:[0-9a-f]{64} \["bash"\]\n$/);
    const sources = await d.ok(['run', '--rm', '--network', 'none', 'debian', 'cat', '/etc/debian_version', '/etc/apt/sources.list'], 'wharf');
    assert.match(sources, /^12\.\d+\ndeb http\S+ bookworm main\n$/);
  });

  test('node: FROM debian, nodejs from apt; hello: the seed Dockerfile (WORKDIR /app, koa installed, ENTRYPOINT node app.js)', async () => {
    assert.match(await d.ok(['run', '--rm', '--network', 'none', 'node', 'node', '-e', 'console.log(process.version)'], 'wharf'), /^v18\.\d+\.\d+\n$/);
    const cfg = JSON.parse(await d.ok(['image', 'inspect', '-f', '{{json .Config}}', 'hello'], 'wharf'));
    assert.equal(cfg.WorkingDir, '/app');
    assert.deepEqual(cfg.Entrypoint, ['node', 'app.js']);
    const ls = await d.ok(['run', '--rm', '--network', 'none', '--entrypoint', 'ls', 'hello', '-A', '/app'], 'wharf');
    // .dockerignore keeps the example's scripts out of /app; npm adds its files.
    assert.equal(ls, '.dockerignore\nDockerfile\napp.js\nnode_modules\npackage-lock.json\npackage.json\n');
    const pkg = JSON.parse(await d.ok(['run', '--rm', '--network', 'none', '--entrypoint', 'cat', 'hello', '/app/package.json'], 'wharf'));
    assert.ok(pkg.dependencies.koa, JSON.stringify(pkg));
  });

  test('a second `wharf build -t hello .` is fully cached: the same image ID, every step "Using cache"', async () => {
    const before = (await d.ok(['image', 'inspect', '-f', '{{.Id}}', 'hello'], 'wharf')).trim();
    const r = await run(process.execPath, [WHARF, 'build', '-t', 'hello', EXAMPLE], { env: d.scriptEnv, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.match(/Using cache/g)?.length, 4, r.stdout);
    assert.equal((await d.ok(['image', 'inspect', '-f', '{{.Id}}', 'hello'], 'wharf')).trim(), before);
  });
});
