// wharf compose where things go wrong, as Compose v2 behaves: depends_on waits that end as
// soon as a dependency is unhealthy, exited or failed (never hanging), a container whose
// network connect fails is removed, `kill --remove-orphans`, `restart --no-deps`, and
// `up --pull` / `--quiet-pull`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type TestDaemon } from './harness.js';
import { startRegistry } from './registry-helpers.js';

describe('compose: failures and lesser-used flags', { concurrency: false }, () => {
  let d: TestDaemon;
  let dir: string;
  const projects: string[] = [];

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-robust-'));
  });
  after(async () => {
    try {
      for (const p of projects) await d.wharf(['compose', '-p', p, '--project-directory', path.join(dir, p), 'down', '-v', '--remove-orphans', '-t', '0']);
      await d.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  /** A project directory with `yaml` as its compose.yaml; returns a runner of compose commands in it. */
  const project = async (name: string, yaml: string) => {
    const at = path.join(dir, name);
    await fs.mkdir(at, { recursive: true });
    await fs.writeFile(path.join(at, 'compose.yaml'), yaml);
    if (!projects.includes(name)) projects.push(name);
    return (args: string[]) => d.wharf(['compose', '-p', name, '--project-directory', at, ...args], { timeoutMs: 60_000 });
  };
  const inspect = async (name: string, fmt: string) => (await d.ok(['inspect', '--format', fmt, name], 'docker')).trim();
  const exists = async (name: string) => (await d.docker(['inspect', name])).code === 0;
  const lastLine = (s: string) => s.trimEnd().split('\n').at(-1);
  const SLEEP = '    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n';

  test('service_healthy: an unhealthy dependency fails up at once; the dependent is never created', async () => {
    const up = await project('rbsick', `services:\n  db:\n    image: busybox\n${SLEEP}    healthcheck:\n      test: ["CMD", "false"]\n      interval: 100ms\n      retries: 1\n  app:\n    image: busybox\n${SLEEP}    depends_on:\n      db:\n        condition: service_healthy\n`);
    const t0 = Date.now();
    const r = await up(['up', '-d']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(lastLine(r.stderr), 'dependency failed to start: container rbsick-db-1 is unhealthy');
    assert.ok(r.stderr.includes(' Container rbsick-db-1  Waiting\n Container rbsick-db-1  Error\n'), r.stderr);
    assert.ok(Date.now() - t0 < 20_000, 'up ended promptly');
    assert.equal(await exists('rbsick-app-1'), false);
  });

  test('service_healthy: a dependency that exits fails up with its exit code', async () => {
    const up = await project('rbexit', `services:\n  db:\n    image: busybox\n    command: ["sh", "-c", "exit 3"]\n    healthcheck:\n      test: ["CMD", "false"]\n      interval: 1s\n      retries: 30\n  app:\n    image: busybox\n${SLEEP}    depends_on:\n      db:\n        condition: service_healthy\n`);
    const r = await up(['up', '-d']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(lastLine(r.stderr), 'dependency failed to start: container rbexit-db-1 exited (3)');
    assert.equal(await exists('rbexit-app-1'), false);
  });

  test('service_completed_successfully: exit 3 fails up and stops a sibling that waits forever', async () => {
    // `slow` never becomes healthy (one probe an hour): without the fix its waiter kept `up` alive.
    const up = await project('rbdone', `services:\n  init:\n    image: busybox\n    command: ["sh", "-c", "exit 3"]\n  slow:\n    image: busybox\n${SLEEP}    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1h\n  a:\n    image: busybox\n${SLEEP}    depends_on:\n      init:\n        condition: service_completed_successfully\n  b:\n    image: busybox\n${SLEEP}    depends_on:\n      slow:\n        condition: service_healthy\n`);
    const t0 = Date.now();
    const r = await up(['up', '-d']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(lastLine(r.stderr), 'service "init" didn\'t complete successfully: exit 3');
    assert.ok(r.stderr.includes(' Container rbdone-init-1  service "init" didn\'t complete successfully: exit 3\n'), r.stderr);
    assert.ok(Date.now() - t0 < 20_000, 'up ended promptly');
    assert.equal(await exists('rbdone-a-1'), false);
    assert.equal(await exists('rbdone-b-1'), false);
  });

  test('an optional dependency that fails is a warning; up --wait-timeout bounds the wait', async () => {
    const up = await project('rbopt', `services:\n  init:\n    image: busybox\n    command: ["sh", "-c", "exit 3"]\n  app:\n    image: busybox\n${SLEEP}    depends_on:\n      init:\n        condition: service_completed_successfully\n        required: false\n`);
    const r = await up(['up', '-d']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes('WARN[0000] optional dependency "init" didn\'t complete successfully: exit 3\n'), r.stderr);
    assert.equal(await inspect('rbopt-app-1', '{{.State.Status}}'), 'running');

    const slow = await project('rbslow', `services:\n  slow:\n    image: busybox\n${SLEEP}    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1h\n  app:\n    image: busybox\n${SLEEP}    depends_on:\n      slow:\n        condition: service_healthy\n`);
    const t0 = Date.now();
    const w = await slow(['up', '-d', '--wait-timeout', '2']);
    assert.equal(w.code, 1, w.stderr);
    assert.equal(lastLine(w.stderr), 'timeout waiting for dependencies');
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal(await exists('rbslow-app-1'), false);
  });

  test('a container whose network connect fails is removed', async () => {
    // b's second network is removed while b waits for a: its connect then fails with 404.
    const up = await project('rbnet', `services:\n  a:\n    image: busybox\n    command: ["sh", "-c", "sleep 3; touch /tmp/ready; sleep 1000"]\n    stop_signal: SIGKILL\n    networks: [aa]\n    healthcheck:\n      test: ["CMD", "test", "-f", "/tmp/ready"]\n      interval: 200ms\n      retries: 100\n  b:\n    image: busybox\n${SLEEP}    networks: [aa, zz]\n    depends_on:\n      a:\n        condition: service_healthy\nnetworks:\n  aa: {}\n  zz: {}\n`);
    const running = up(['up', '-d']);
    for (let i = 0; i < 100 && !(await exists('rbnet-a-1')); i++) await new Promise((res) => setTimeout(res, 100));
    assert.equal((await d.docker(['network', 'rm', 'rbnet_zz'])).code, 0);
    const r = await running;
    assert.equal(r.code, 1, r.stderr);
    assert.match(lastLine(r.stderr) ?? '', /^service "b": Error response from daemon: .*rbnet_zz.* not found/);
    assert.equal(await exists('rbnet-b-1'), false, 'the half-connected container is gone');
    assert.equal(await inspect('rbnet-a-1', '{{.State.Status}}'), 'running');
  });

  test('kill spares orphans unless --remove-orphans', async () => {
    const svc = (n: string) => `  ${n}:\n    image: busybox\n${SLEEP}`;
    const c = await project('rbkill', `services:\n${svc('a')}${svc('b')}`);
    assert.equal((await c(['up', '-d'])).code, 0);
    await project('rbkill', `services:\n${svc('a')}`);
    const k = await c(['kill']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.stderr, ' Container rbkill-a-1  Killing\n Container rbkill-a-1  Killed\n');
    assert.equal(await inspect('rbkill-b-1', '{{.State.Status}}'), 'running');
    const ko = await c(['kill', '--remove-orphans']);
    assert.equal(ko.code, 0, ko.stderr);
    assert.equal(ko.stderr, ' Container rbkill-b-1  Killing\n Container rbkill-b-1  Killed\n');
    assert.equal(await inspect('rbkill-b-1', '{{.State.Status}}'), 'exited');
  });

  test('restart takes dependents with depends_on restart: true along; --no-deps only the named', async () => {
    const c = await project('rbrestart', `services:\n  db:\n    image: busybox\n${SLEEP}  app:\n    image: busybox\n${SLEEP}    depends_on:\n      db:\n        condition: service_started\n        restart: true\n  other:\n    image: busybox\n${SLEEP}    depends_on: [db]\n`);
    assert.equal((await c(['up', '-d'])).code, 0);
    const started = async () => Object.fromEntries(await Promise.all(['db', 'app', 'other'].map(async (s) => [s, await inspect(`rbrestart-${s}-1`, '{{.State.StartedAt}}')])));
    const t0 = await started();
    const r = await c(['restart', '-t', '0', 'db']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, ' Container rbrestart-db-1  Restarting\n Container rbrestart-db-1  Started\n Container rbrestart-app-1  Restarting\n Container rbrestart-app-1  Started\n');
    const t1 = await started();
    assert.notEqual(t1.db, t0.db);
    assert.notEqual(t1.app, t0.app);
    assert.equal(t1.other, t0.other);
    const n = await c(['restart', '-t', '0', '--no-deps', 'db']);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(n.stderr, ' Container rbrestart-db-1  Restarting\n Container rbrestart-db-1  Started\n');
    const t2 = await started();
    assert.notEqual(t2.db, t1.db);
    assert.equal(t2.app, t1.app);
  });

  test('up --pull: checked, never pulls nothing, always pulls; --quiet-pull hides the layers', async () => {
    const reg = await startRegistry();
    try {
      const image = `${reg.host}/rb/pulled:1`;
      // A layer of its own, so a pull has a layer to fetch.
      await d.ok(['run', '--name', 'rbpull-src', 'busybox', 'sh', '-c', 'echo own > /own'], 'docker');
      await d.ok(['commit', 'rbpull-src', image], 'docker');
      await d.ok(['rm', 'rbpull-src'], 'docker');
      await d.ok(['push', image], 'docker');
      await d.ok(['rmi', image], 'docker');
      const c = await project('rbpull', `services:\n  web:\n    image: ${image}\n${SLEEP}`);
      const bad = await c(['up', '-d', '--pull', 'sometimes']);
      assert.equal(bad.code, 1);
      assert.equal(lastLine(bad.stderr), 'invalid --pull option "sometimes"');
      const never = await c(['up', '-d', '--pull', 'never']);
      assert.equal(never.code, 1);
      assert.equal(lastLine(never.stderr), `service "web": no such image: ${image}`);
      const loud = await c(['up', '-d', '--pull', 'always']);
      assert.equal(loud.code, 0, loud.stderr);
      assert.match(loud.stderr, /^ [0-9a-f]{12} Pulling fs layer \n(.*\n)* [0-9a-f]{12} Pull complete $/m);
      assert.ok(loud.stderr.includes(` Image ${image}  Pulled\n`), loud.stderr);
      assert.equal((await c(['down', '-t', '0'])).code, 0);
      await d.ok(['rmi', image], 'docker');
      const quiet = await c(['up', '-d', '--pull', 'always', '--quiet-pull']);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.ok(quiet.stderr.includes(` Image ${image}  Pulling\n Image ${image}  Pulled\n`), quiet.stderr);
      assert.doesNotMatch(quiet.stderr, /^ [0-9a-f]{12} /m);
      const missing = await c(['up', '-d', '--pull', 'missing']);
      assert.equal(missing.code, 0, missing.stderr);
      assert.doesNotMatch(missing.stderr, /Pulling/);
    } finally {
      await reg.close();
    }
  });
});
