// wharf compose's bad input: schema errors, unknown dependencies, cycles, required
// variables, port conflicts and missing build contexts fail before anything is created
// (no container, network or volume); a failure midway through `up` names the failing
// service, and `down -v` then removes everything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type TestDaemon } from './harness.js';

describe('compose: bad input', { concurrency: false }, () => {
  let d: TestDaemon;
  let dir: string;

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-errors-'));
  });
  after(async () => {
    try {
      await d.wharf(['compose', '-p', 'mid', '--project-directory', path.join(dir, 'mid'), 'down', '-v', '-t', '0']);
      await d.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  /** What exists on the daemon: containers, compose networks, volumes. */
  const inventory = async (): Promise<string> => [
    await d.ok(['ps', '-aq'], 'docker'),
    await d.ok(['network', 'ls', '-q', '--filter', 'label=com.docker.compose.project'], 'docker'),
    await d.ok(['volume', 'ls', '-q'], 'docker'),
  ].join('|');

  // Each project also declares a network and a volume, to show neither is created.
  const EXTRAS = 'networks:\n  back: {}\nvolumes:\n  data: {}\n';
  const USES = '    networks: [back]\n    volumes: [data:/data]\n';
  const cases: { name: string; yaml: string; env?: Record<string, string>; message: (file: string, dir: string) => string }[] = [
    {
      name: 'schema',
      yaml: `services:\n  web:\n    image: busybox\n${USES}    ports: "8080:80"\n${EXTRAS}`,
      message: (file) => `validating ${file}: services.web.ports must be a list`,
    },
    {
      name: 'unknown-dep',
      yaml: `services:\n  web:\n    image: busybox\n${USES}    depends_on: [nope]\n${EXTRAS}`,
      message: () => 'service "web" depends on undefined service "nope": invalid compose project',
    },
    {
      name: 'cycle',
      yaml: `services:\n  a:\n    image: busybox\n${USES}    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n${EXTRAS}`,
      message: () => 'dependency cycle detected: a -> b -> a',
    },
    {
      name: 'required-var',
      yaml: `services:\n  web:\n    image: \${IMAGE:?set IMAGE to the image to run}\n${USES}${EXTRAS}`,
      message: () => 'error while interpolating services.web.image: required variable IMAGE is missing a value: set IMAGE to the image to run',
    },
    {
      name: 'port-conflict',
      yaml: `services:\n  a:\n    image: busybox\n${USES}    ports: ["18080:80"]\n  b:\n    image: busybox\n    ports: ["18080:8080"]\n${EXTRAS}`,
      message: () => 'services a and b both publish 0.0.0.0:18080/tcp: port is already allocated',
    },
    {
      name: 'no-context',
      yaml: `services:\n  web:\n    build: ./nope\n${USES}${EXTRAS}`,
      message: (_f, at) => `service "web": build context ${path.join(at, 'nope')} not found`,
    },
  ];

  for (const c of cases) {
    test(`${c.name}: a clear error, nothing created`, async () => {
      const at = path.join(dir, c.name);
      await fs.mkdir(at);
      const file = path.join(at, 'compose.yaml');
      await fs.writeFile(file, c.yaml);
      const was = await inventory();
      for (const cmd of [['up', '-d'], ['config', '-q'], ['create']]) {
        const r = await d.wharf(['compose', '-p', 'bad', '--project-directory', at, ...cmd], { timeoutMs: 60_000 });
        assert.equal(r.code, 1, `${cmd.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, `${c.message(file, at)}\n`);
        assert.equal(r.stdout, '');
      }
      assert.equal(await inventory(), was);
    });
  }

  test('a project that cannot be brought up (a port conflict, a missing build context) can still be listed and taken down', async () => {
    const at = path.join(dir, 'stuck');
    await fs.mkdir(at);
    await fs.writeFile(path.join(at, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    command: ["sleep", "100"]\n    stop_signal: SIGKILL\n');
    const run = (...cmd: string[]) => d.wharf(['compose', '-p', 'stuck', '--project-directory', at, ...cmd], { timeoutMs: 60_000 });
    assert.equal((await run('up', '-d')).code, 0);
    // The file changes under the running project into one `up` refuses.
    await fs.writeFile(path.join(at, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    ports: ["18081:80"]\n  b:\n    build: ./gone\n    ports: ["18081:80"]\n');
    assert.equal((await run('up', '-d')).code, 1);
    const ps = await run('ps', '-q');
    assert.equal(ps.code, 0, ps.stderr);
    assert.equal(ps.stdout.trim().split('\n').length, 1);
    const down = await run('down', '-t', '0');
    assert.equal(down.code, 0, down.stderr);
    assert.equal((await d.docker(['inspect', 'stuck-web-1'])).code, 1);
  });

  test('a network of the project\'s name that compose did not make: warned, and refused as Compose v2 does', async () => {
    const at = path.join(dir, 'foreign');
    await fs.mkdir(at);
    await fs.writeFile(path.join(at, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n');
    await d.ok(['network', 'create', 'foreign_default'], 'docker');
    try {
      const was = await inventory();
      const r = await d.wharf(['compose', '-p', 'foreign', '--project-directory', at, 'up', '-d'], { timeoutMs: 60_000 });
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'WARN[0000] a network with name foreign_default exists but was not created by compose.\nSet `external: true` to use an existing network\nnetwork foreign_default was found but has incorrect label com.docker.compose.network set to ""\n');
      assert.equal(await inventory(), was);
    } finally {
      await d.ok(['network', 'rm', 'foreign_default'], 'docker');
    }
  });

  test('a failure midway through up names the service; down -v removes everything', async () => {
    const at = path.join(dir, 'mid');
    await fs.mkdir(at);
    await fs.writeFile(path.join(at, 'compose.yaml'), [
      'services:',
      '  a:\n    image: busybox\n    command: ["sleep", "100"]\n    stop_signal: SIGKILL\n    volumes: [data:/data]',
      '  b:\n    image: busybox\n    command: ["/does-not-exist"]\n    depends_on: [a]',
      '  c:\n    image: busybox\n    command: ["sleep", "100"]\n    depends_on: [b]',
      'volumes:\n  data: {}\n',
    ].join('\n'));
    const r = await d.wharf(['compose', '-p', 'mid', '--project-directory', at, 'up', '-d'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trimEnd().split('\n').pop() ?? '';
    assert.match(last, /^service "b": Error response from daemon: .*exec: "\/does-not-exist": stat \/does-not-exist: no such file or directory/);
    assert.ok(r.stderr.includes(' Container mid-a-1  Started\n'), r.stderr);
    assert.ok(r.stderr.includes(' Container mid-b-1  Created\n'), r.stderr);
    assert.equal((await d.docker(['inspect', 'mid-c-1'])).code, 1, 'c, after the failure, is never created');
    assert.equal(await d.ok(['inspect', '--format', '{{.State.Status}}', 'mid-a-1'], 'docker'), 'running\n');
    const down = await d.wharf(['compose', '-p', 'mid', '--project-directory', at, 'down', '-v', '-t', '0'], { timeoutMs: 60_000 });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await inventory(), '||');
  });
});
