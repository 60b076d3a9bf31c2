// system df: Docker's /system/df shape and figures that match the files (du); system prune
// frees what it says; removing objects leaves no orphan layers, blobs or logs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { run, startDaemon, TARGET, type TestDaemon } from './harness.js';

/** Bytes of the files and links below `dir`, each inode once (`du --apparent-size` without directories). */
async function du(dir: string): Promise<number> {
  const r = await run('find', [dir, '(', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '%i %s\n']);
  const sizes = new Map(r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  return [...sizes.values()].reduce((a, s) => a + Number(s), 0);
}

describe('system df and prune', { skip: TARGET === 'docker' ? 'reads wharf\'s data root' : false }, () => {
  let d: TestDaemon;
  const ok = (args: string[], cli: 'docker' | 'wharf' = 'docker') => d.ok(args, cli);

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('GET /system/df: Docker\'s shape; sizes as du finds them', async () => {
    const id = (await ok(['run', '--name', 'writer', 'busybox', 'sh', '-c', 'head -c 300000 /dev/zero > /big'])).trim();
    void id;
    const r = await d.api('GET', '/system/df');
    assert.equal(r.status, 200);
    const df = r.json as { LayersSize: number; Images: { Id: string; Size: number; SharedSize: number; Containers: number }[]; Containers: { Names: string[]; SizeRw: number; SizeRootFs: number }[]; Volumes: unknown[]; BuildCache: unknown[] };
    assert.deepEqual(Object.keys(df).sort(), ['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes']);
    assert.deepEqual(df.Volumes, []);
    assert.deepEqual(df.BuildCache, []);
    assert.equal(df.Images.length, 1);
    assert.equal(df.Images[0]!.Containers, 1);
    assert.equal(df.Images[0]!.SharedSize, 0);
    assert.equal(df.Images[0]!.Size, df.LayersSize);
    const layerDirs = path.join(d.dataRoot, 'layers');
    let layerDu = 0;
    for (const l of await fs.readdir(layerDirs)) if (!l.startsWith('.')) layerDu += await du(path.join(layerDirs, l, 'diff'));
    assert.equal(layerDu, df.LayersSize);
    const c = df.Containers.find((x) => x.Names[0] === '/writer')!;
    assert.ok(c.SizeRw >= 300000 && c.SizeRw < 310000, `SizeRw ${c.SizeRw}`);
    assert.ok(c.SizeRootFs > c.SizeRw);
    const only = await d.api('GET', '/system/df?type=container');
    assert.deepEqual(Object.keys(only.json as object), ['Containers']);
  });

  test('system df table through both CLIs', async () => {
    for (const cli of ['docker', 'wharf'] as const) {
      const lines = (await ok(['system', 'df'], cli)).trimEnd().split('\n');
      assert.match(lines[0]!, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
      // An image with a container (even a stopped one) is active, and not reclaimable.
      assert.match(lines[1]!, /^Images\s+1\s+1\s+\d+(\.\d+)?MB\s+0B \(0%\)$/, `${cli}: ${lines[1]}`);
      assert.match(lines[2]!, /^Containers\s+1\s+0\s+300kB\s+300kB \(100%\)$/, `${cli}: ${lines[2]}`);
      assert.match(lines[3]!, /^Local Volumes\s+0\s+0\s+0B\s+0B$/);
      assert.match(lines[4]!, /^Build Cache\s+0\s+0\s+0B\s+0B$/);
    }
    const v = await ok(['system', 'df', '-v'], 'wharf');
    assert.match(v, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\nbusybox\s+latest/);
    assert.match(v, /\nContainers space usage:\n\nCONTAINER ID\s+IMAGE\s+COMMAND\s+LOCAL VOLUMES\s+SIZE\s+CREATED\s+STATUS\s+NAMES\n[0-9a-f]{12}\s+busybox\s+"sh -c 'head -c 3000…"\s+0\s+300kB/);
  });

  test('system prune -a -f removes stopped containers and unused images, and frees their files', async () => {
    const out = await ok(['system', 'prune', '-a', '-f'], 'wharf');
    assert.match(out, /^Deleted Containers:\n[0-9a-f]{64}\n\nDeleted Images:\nuntagged: busybox:latest\n(deleted: sha256:[0-9a-f]{64}\n)+\nTotal reclaimed space: \S+B\n$/);
    assert.deepEqual(await fs.readdir(path.join(d.dataRoot, 'containers')), []);
    assert.deepEqual(await fs.readdir(path.join(d.dataRoot, 'layers')).then((l) => l.filter((x) => !x.startsWith('.'))), []);
    assert.deepEqual(await fs.readdir(path.join(d.dataRoot, 'content/blobs/sha256')), []);
    const df = (await d.api('GET', '/system/df')).json as { LayersSize: number; Images: unknown[]; Containers: unknown[] };
    assert.deepEqual([df.LayersSize, df.Images.length, df.Containers.length], [0, 0, 0]);
  });
});
