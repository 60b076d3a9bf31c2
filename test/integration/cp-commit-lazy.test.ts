// A committed layer is kept as its tar (a blob) only; its tree is unpacked from the blob the
// first time something mounts it (run, cp or export of a container of the image). A kill -9
// between the blob and the records leaves a store that loads and no orphans.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { run, startDaemon, TARGET, type TestDaemon } from './harness.js';

describe('commit: layers unpacked on first use', { skip: TARGET === 'docker' ? 'looks at the data root' : false }, () => {
  let d: TestDaemon;
  const env: NodeJS.ProcessEnv = {};
  const ls = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).sort();
  const blobs = () => ls(path.join(d.dataRoot, 'content/blobs/sha256'));
  const layers = () => ls(path.join(d.dataRoot, 'layers'));
  /** The top layer's directory of an image. */
  const topLayerDir = async (img: string) => {
    const upper = (await d.ok(['image', 'inspect', '-f', '{{.GraphDriver.Data.UpperDir}}', img])).trim();
    return path.dirname(upper);
  };

  before(async () => {
    process.env.DOCKER_BUILDKIT = '0'; // the docker CLI v28 uses the classic POST /build only with BuildKit off
    d = await startDaemon({ env });
  });
  after(async () => {
    await d.close();
  });

  test('commit writes the blob and records only; cp, export and run of the image unpack it once; history and save work before that', async () => {
    await d.ok(['run', '--name', 'lz', 'busybox', 'sh', '-c', 'mkdir /data && echo hello > /data/f && head -c 5000 /dev/zero > /data/z']);
    try {
      const img = (await d.ok(['commit', 'lz', 'lazy:1'])).trim();
      const dir = await topLayerDir(img);
      assert.deepEqual(await ls(dir), ['layer.json'], 'no tree yet');
      // history's size comes from the record the commit wrote: "hello\n" + 5000 zero bytes.
      assert.equal((await d.ok(['history', '--format', '{{.Size}}', '--human=false', img])).split('\n')[0], '5006');
      const diffID = (await d.ok(['image', 'inspect', '-f', '{{index .RootFS.Layers 1}}', img])).trim();
      const saved = await run('sh', ['-c', `docker -H unix://${d.socket} save lazy:1 | tar -t`]);
      assert.ok(saved.stdout.includes(`blobs/sha256/${diffID.slice(7)}\n`), saved.stdout);
      assert.deepEqual(await ls(dir), ['layer.json'], 'save reads the blob');

      // A container that was never started: cp out mounts its rootfs, which unpacks the layer.
      const ctr = (await d.ok(['create', 'lazy:1'])).trim();
      const out = await run('sh', ['-c', `docker -H unix://${d.socket} cp ${ctr}:/data/f - | tar -xO`]);
      assert.equal(out.stdout, 'hello\n');
      assert.deepEqual(await ls(dir), ['diff', 'layer.json']);
      assert.equal(await fs.readFile(path.join(dir, 'diff/data/f'), 'utf8'), 'hello\n');
      assert.equal(await d.ok(['run', '--rm', 'lazy:1', 'cat', '/data/f']), 'hello\n');
      const exported = await run('sh', ['-c', `docker -H unix://${d.socket} export ${ctr} | tar -t | grep '^data/'`]);
      assert.equal(exported.stdout, 'data/\ndata/f\ndata/z\n');
      await d.ok(['rm', ctr]);
      assert.deepEqual((await layers()).filter((n) => n.startsWith('.')), [], 'no temp dirs left');

      // Concurrent first uses of a fresh image: one unpack, every container sees the tree.
      const img2 = (await d.ok(['commit', '-c', 'CMD ["cat", "/data/f"]', 'lz'])).trim();
      const runs = await Promise.all([1, 2, 3].map(() => d.docker(['run', '--rm', img2])));
      assert.deepEqual(runs.map((r) => r.stdout), ['hello\n', 'hello\n', 'hello\n']);
      await d.ok(['rmi', img2]);
      await d.ok(['rmi', 'lazy:1']);
      assert.equal(existsSync(dir), false, 'rmi removes the layer');
    } finally {
      await d.docker(['rm', '-f', 'lz']);
    }
  });

  test('a build FROM a committed image unpacks its layer (COPY into an existing dir, RUN)', async () => {
    await d.ok(['run', '--name', 'lzb', 'busybox', 'sh', '-c', 'mkdir /data && echo base > /data/f']);
    const ctx = await fs.mkdtemp('/tmp/wharf-it-lazy-build-');
    try {
      await d.ok(['commit', 'lzb', 'lazybase:1']);
      const dir = await topLayerDir('lazybase:1');
      assert.deepEqual(await ls(dir), ['layer.json']);
      await fs.writeFile(path.join(ctx, 'new.txt'), 'copied\n');
      await fs.writeFile(path.join(ctx, 'Dockerfile'), 'FROM lazybase:1\nCOPY new.txt /data/\nRUN cat /data/f /data/new.txt > /data/both\n');
      const b = await d.docker(['build', '-q', '-t', 'lazychild:1', ctx], { timeoutMs: 120_000 });
      assert.equal(b.code, 0, b.stderr);
      assert.equal(await d.ok(['run', '--rm', 'lazychild:1', 'cat', '/data/both']), 'base\ncopied\n');
      assert.deepEqual(await ls(dir), ['diff', 'layer.json']);
      await d.ok(['rmi', 'lazychild:1', 'lazybase:1']);
    } finally {
      await fs.rm(ctx, { recursive: true, force: true });
      await d.docker(['rm', '-f', 'lzb']);
    }
  });

  test('kill -9 after the layer blob, before the records: the store loads, no image, no orphan blob or layer', async () => {
    await d.ok(['run', '--name', 'lzc', 'busybox', 'sh', '-c', 'echo crash > /c']);
    try {
      const [images0, blobs0, layers0] = [await d.ok(['images', '-aq', '--no-trunc']), await blobs(), await layers()];
      env.WHARF_FAILPOINTS = 'commit:after-blob';
      await d.restart();
      const r = await d.docker(['commit', 'lzc', 'crash:1']);
      assert.notEqual(r.code, 0, 'the commit was cut short');
      delete env.WHARF_FAILPOINTS;
      await d.restart();
      assert.equal(await d.ok(['images', '-aq', '--no-trunc']), images0);
      assert.deepEqual(await blobs(), blobs0);
      assert.deepEqual(await layers(), layers0);
      const img = (await d.ok(['commit', 'lzc', 'crash:1'])).trim();
      assert.equal(await d.ok(['run', '--rm', img, 'cat', '/c']), 'crash\n');
      await d.ok(['rmi', 'crash:1']);
    } finally {
      delete env.WHARF_FAILPOINTS;
      await d.docker(['rm', '-f', 'lzc']);
    }
  });
});
