// Objects made by Docker's Compose v2 are wharf compose's own. No Compose v2 binary can
// run here, so this test makes what `docker compose up` (v2.29, docker/compose
// pkg/compose/create.go and cmd/compose/compose.go) would have made, through the Engine
// API with the same names and labels: network `<project>_default` and volume
// `<project>_<key>` labelled project/network|volume/version; containers
// `<project>-<service>-<n>` labelled project, service, version, working_dir,
// config_files, oneoff, config-hash, container-number, depends_on and image; a
// `compose run` container with oneoff=True and a slug. Then `wharf compose` takes over.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type TestDaemon } from './harness.js';

const P = 'v2proj';
const YAML = `services:
  web:
    image: busybox
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    volumes: [data:/data]
  db:
    image: busybox
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
volumes:
  data: {}
`;

describe('compose: objects made by Compose v2', { concurrency: false }, () => {
  let d: TestDaemon;
  let dir: string;
  let file: string;
  const compose = (args: string[]) => d.wharf(['compose', '-p', P, '-f', file, ...args], { timeoutMs: 60_000 });
  const id = async (name: string): Promise<string> => (await d.ok(['inspect', '--format', '{{.Id}}', name], 'docker')).trim();
  const ids: Record<string, string> = {};

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-v2-'));
    file = path.join(dir, 'compose.yaml');
    await fs.writeFile(file, YAML);
  });
  after(async () => {
    try {
      await compose(['down', '-v', '-t', '0']);
      await d.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('Compose v2 made the project (as its Engine API calls would)', async () => {
    const hashes = Object.fromEntries((await compose(['config', '--hash', '*'])).stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const image = await id('busybox');
    const version = '2.29.7';
    const net = await d.api('POST', '/networks/create', {
      Name: `${P}_default`, CheckDuplicate: true, Driver: 'bridge', Internal: false, Attachable: false,
      Labels: { 'com.docker.compose.network': 'default', 'com.docker.compose.project': P, 'com.docker.compose.version': version },
    });
    assert.equal(net.status, 201, net.text);
    const vol = await d.api('POST', '/volumes/create', {
      Name: `${P}_data`, Driver: 'local', DriverOpts: {},
      Labels: { 'com.docker.compose.project': P, 'com.docker.compose.version': version, 'com.docker.compose.volume': 'data' },
    });
    assert.equal(vol.status, 201, vol.text);
    const create = async (service: string, n: number, o: { hash: string; name?: string; oneoff?: boolean }): Promise<void> => {
      const name = o.name ?? `${P}-${service}-${n}`;
      const labels: Record<string, string> = {
        'com.docker.compose.project': P, 'com.docker.compose.service': service, 'com.docker.compose.version': version,
        'com.docker.compose.project.working_dir': dir, 'com.docker.compose.project.config_files': file,
        'com.docker.compose.oneoff': o.oneoff ? 'True' : 'False', 'com.docker.compose.config-hash': o.hash,
        'com.docker.compose.container-number': String(n), 'com.docker.compose.depends_on': '', 'com.docker.compose.image': image,
      };
      if (o.oneoff) labels['com.docker.compose.slug'] = '0123456789ab'.padEnd(64, '0');
      const r = await d.api('POST', `/containers/create?name=${name}`, {
        Image: 'busybox', Cmd: ['sleep', '1000'], StopSignal: 'SIGKILL', Labels: labels,
        HostConfig: {
          NetworkMode: `${P}_default`, RestartPolicy: { Name: '' },
          Mounts: service === 'web' ? [{ Type: 'volume', Source: `${P}_data`, Target: '/data' }] : undefined,
        },
        NetworkingConfig: { EndpointsConfig: { [`${P}_default`]: { Aliases: o.oneoff ? [name] : [name, service] } } },
      });
      assert.equal(r.status, 201, r.text);
      const s = await d.api('POST', `/containers/${name}/start`);
      assert.equal(s.status, 204, s.text);
      ids[name] = await id(name);
    };
    await create('web', 1, { hash: hashes.web! });
    await create('web', 2, { hash: hashes.web! });
    // db's containers come from an older version of the file.
    await create('db', 1, { hash: 'f'.repeat(64) });
    await create('web', 1, { hash: hashes.web!, name: `${P}-web-run-0123456789ab`, oneoff: true });
  });

  test('ps lists its service containers, not the one-off', async () => {
    const r = await compose(['ps', '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Name: string; Service: string; Project: string; State: string });
    assert.deepEqual(rows.map((x) => [x.Name, x.Service, x.Project, x.State]), [
      [`${P}-db-1`, 'db', P, 'running'], [`${P}-web-1`, 'web', P, 'running'], [`${P}-web-2`, 'web', P, 'running'],
    ]);
    assert.equal((await d.wharf(['compose', 'ls', '--format', 'json'])).stdout.includes(`"Name":"${P}"`), true);
  });

  test('up keeps the up-to-date container, scales web down to 1, recreates the changed db', async () => {
    const r = await compose(['up', '-d']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => /^ (Network|Volume|Container) /.test(l)).sort();
    assert.deepEqual(lines, [
      ` Container ${P}-db-1  Recreate`, ` Container ${P}-db-1  Recreated`, ` Container ${P}-db-1  Started`, ` Container ${P}-db-1  Starting`,
      ` Container ${P}-web-1  Running`,
      ` Container ${P}-web-2  Removed`, ` Container ${P}-web-2  Removing`, ` Container ${P}-web-2  Stopped`, ` Container ${P}-web-2  Stopping`,
    ].sort());
    assert.equal(await id(`${P}-web-1`), ids[`${P}-web-1`], 'web-1 kept');
    assert.notEqual(await id(`${P}-db-1`), ids[`${P}-db-1`], 'db-1 recreated');
    assert.equal((await d.docker(['inspect', `${P}-web-2`])).code, 1);
    // What wharf made carries Compose v2's label set, so v2 in turn recognises it.
    const labels = JSON.parse(await d.ok(['inspect', '--format', '{{json .Config.Labels}}', `${P}-db-1`], 'docker')) as Record<string, string>;
    assert.deepEqual(Object.keys(labels).sort(), [
      'com.docker.compose.config-hash', 'com.docker.compose.container-number', 'com.docker.compose.depends_on', 'com.docker.compose.image',
      'com.docker.compose.oneoff', 'com.docker.compose.project', 'com.docker.compose.project.config_files', 'com.docker.compose.project.working_dir',
      'com.docker.compose.service', 'com.docker.compose.version',
    ]);
    const aliases = JSON.parse(await d.ok(['inspect', '--format', `{{json (index .NetworkSettings.Networks "${P}_default").Aliases}}`, `${P}-db-1`], 'docker')) as string[];
    assert.deepEqual(aliases.slice(0, 2), [`${P}-db-1`, 'db']);
    // A second up changes nothing.
    const again = await compose(['up', '-d']);
    assert.deepEqual(again.stderr.split('\n').filter((l) => /^ (Network|Volume|Container) /.test(l)), [` Container ${P}-db-1  Running`, ` Container ${P}-web-1  Running`]);
  });

  test('down removes the containers (the one-off too) and the network; -v the volume', async () => {
    const r = await compose(['down', '-v', '-t', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await d.ok(['ps', '-aq'], 'docker'), '');
    assert.equal(await d.ok(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${P}`], 'docker'), '');
    assert.equal(await d.ok(['volume', 'ls', '-q'], 'docker'), '');
    assert.ok(r.stderr.includes(` Container ${P}-web-run-0123456789ab  Removed\n`), r.stderr);
    assert.ok(r.stderr.includes(` Network ${P}_default  Removed\n`), r.stderr);
    assert.ok(r.stderr.includes(` Volume ${P}_data  Removed\n`), r.stderr);
  });
});
