// kill -9 of wharfd at named steps of import, create, start and rm (failpoints, see
// src/store/failpoint.ts), then a restart: the store loads, nothing is half-visible, no
// orphan directories, blobs or layers stay behind, and the same operation then works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { busyboxTar, startDaemon, TARGET, type TestDaemon } from './harness.js';

describe('crash points', { skip: TARGET === 'docker' ? 'kills the daemon' : false }, () => {
  let d: TestDaemon;
  const env: NodeJS.ProcessEnv = {};

  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  /** Restarts wharfd armed at `point`, runs `op` (which the kill interrupts), restarts it unarmed. */
  const crashAt = async (point: string, op: () => Promise<unknown>) => {
    env.WHARF_FAILPOINTS = point;
    await d.restart();
    const r = (await op()) as { code?: number } | undefined;
    assert.notEqual(r?.code, 0, `${point}: the operation should have been cut short`);
    delete env.WHARF_FAILPOINTS;
    await d.restart();
  };
  const ls = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).sort();
  const containerDirs = () => ls(path.join(d.dataRoot, 'containers'));
  const blobs = () => ls(path.join(d.dataRoot, 'content/blobs/sha256'));
  const layers = () => ls(path.join(d.dataRoot, 'layers'));
  const ids = async () => (await ok(['ps', '-aq', '--no-trunc'])).split('\n').filter(Boolean).sort();

  before(async () => {
    d = await startDaemon({ env });
  });
  after(async () => {
    await d.close();
  });

  test('create: killed after the directory, before the record: no container, no directory', async () => {
    const before = await containerDirs();
    await crashAt('create:after-dir', () => d.docker(['create', '--name', 'c1', 'busybox', 'true']));
    assert.deepEqual(await ids(), []);
    assert.deepEqual(await containerDirs(), before);
    await ok(['create', '--name', 'c1', 'busybox', 'true']);
    await ok(['rm', 'c1']);
  });

  test('create: killed after the record: the container is whole and starts', async () => {
    await crashAt('create:after-record', () => d.docker(['create', '--name', 'c2', 'busybox', 'sh', '-c', 'exit 3']));
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', 'c2']), 'created');
    await ok(['start', 'c2']);
    assert.equal(await ok(['wait', 'c2']), '3');
    await ok(['rm', 'c2']);
  });

  for (const point of ['start:after-mount', 'start:after-conmon']) {
    test(`start: killed at ${point}: not running, nothing mounted or left in runc, starts again`, async () => {
      await ok(['create', '--name', 's1', 'busybox', 'sh', '-c', 'echo up; exit 4']);
      await crashAt(point, () => d.docker(['start', 's1']));
      assert.equal(await ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}}', 's1']), 'created false');
      const mounts = (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(d.dataRoot));
      assert.deepEqual(mounts, []);
      await ok(['start', 's1']);
      assert.equal(await ok(['wait', 's1']), '4');
      assert.equal(await ok(['logs', 's1']), 'up');
      await ok(['rm', 's1']);
    });
  }

  test('rm: killed after the record is deleted: gone, and its directories too', async () => {
    const id = await ok(['run', '-d', '--name', 'r1', 'busybox', 'true']);
    await ok(['wait', id]);
    await crashAt('rm:after-record-delete', () => d.docker(['rm', 'r1']));
    assert.equal((await d.docker(['inspect', 'r1'])).code, 1);
    assert.ok(!(await containerDirs()).includes(id), 'container directory removed');
    assert.ok(!existsSync(path.join(d.execRoot, 'b', id)), 'bundle removed');
    await ok(['create', '--name', 'r1', 'busybox']);
    await ok(['rm', 'r1']);
  });

  for (const point of ['import:after-blob', 'import:after-layer']) {
    test(`import: killed at ${point}: no image, no orphan blob or layer`, async () => {
      const [images0, blobs0, layers0] = [await ok(['images', '-aq', '--no-trunc']), await blobs(), await layers()];
      const tar = await busyboxTar();
      await crashAt(point, () => d.docker(['import', '--change', 'LABEL crash=1', tar, `crash:${point.split(':')[1]}`]));
      assert.equal(await ok(['images', '-aq', '--no-trunc']), images0);
      assert.deepEqual(await blobs(), blobs0);
      assert.deepEqual(await layers(), layers0);
      const id = await ok(['import', '--change', 'LABEL crash=1', tar, 'crash:ok']);
      assert.match(id, /^sha256:/);
      await ok(['rmi', 'crash:ok']);
      assert.deepEqual(await blobs(), blobs0, 'rmi frees its blobs');
    });
  }

  test('import: killed after the record, before the tag: a whole image, usable by ID', async () => {
    const tar = await busyboxTar();
    await crashAt('import:after-record', () => d.docker(['import', '--change', 'LABEL crash=2', tar, 'crash:tagless']));
    const all = (await ok(['images', '-aq', '--no-trunc', '--filter', 'label=crash=2'])).split('\n').filter(Boolean);
    assert.equal(all.length, 1);
    assert.equal(await ok(['run', '--rm', all[0]!, 'echo', 'whole']), 'whole');
    await ok(['rmi', all[0]!]);
  });
});
