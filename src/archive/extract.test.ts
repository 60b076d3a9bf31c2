import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { extractTar } from './extract.js';
import { ScopedRoot } from './scoped-root.js';

async function withRoot(fn: (root: string, r: ScopedRoot) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-extract-'));
  const r = await ScopedRoot.open(base);
  try {
    await fn(base, r);
  } finally {
    await r.close();
    await fs.rm(base, { recursive: true, force: true });
  }
}

async function extract(r: ScopedRoot, entries: Array<[Entry, string?]>): Promise<void> {
  const pack = tar.pack();
  for (const [h, body] of entries) {
    if (body === undefined) pack.entry(h);
    else pack.entry(h, body);
  }
  pack.finalize();
  const dest = await r.resolveDir('/');
  try {
    await extractTar(pack as unknown as Readable, r, dest, { noOverwriteDirNonDir: false });
  } finally {
    await r.release(dest);
  }
}

type Entry = Partial<tar.Header> & { name: string };

const t0 = new Date('2001-02-03T04:05:06Z');

test('files in a directory the tar creates: modes, owners, times; a name given twice keeps the last', async () => {
  await withRoot(async (root, r) => {
    await extract(r, [
      [{ name: 'd/', type: 'directory', mode: 0o750, uid: 5, gid: 6, mtime: t0 }],
      [{ name: 'd/a', mode: 0o640, uid: 1234, gid: 567, mtime: t0 }, 'first'],
      [{ name: 'd/b', mode: 0o4755, mtime: t0 }, 'b'],
      [{ name: 'd/a', mode: 0o600, mtime: t0 }, 'second'],
      [{ name: 'd/sub/', type: 'directory', mode: 0o755, mtime: t0 }],
      [{ name: 'd/sub/c', mode: 0o644, mtime: t0 }, 'c'],
    ]);
    assert.equal(await fs.readFile(path.join(root, 'd/a'), 'utf8'), 'second');
    const a = await fs.stat(path.join(root, 'd/a'));
    assert.equal(a.mode & 0o7777, 0o600);
    assert.equal(a.uid, 0);
    const b = await fs.stat(path.join(root, 'd/b'));
    assert.equal(b.mode & 0o7777, 0o4755);
    assert.equal(b.mtime.getTime(), t0.getTime());
    const d = await fs.stat(path.join(root, 'd'));
    assert.deepEqual([d.mode & 0o7777, d.uid, d.gid, d.mtime.getTime()], [0o750, 5, 6, t0.getTime()]);
    assert.equal(await fs.readFile(path.join(root, 'd/sub/c'), 'utf8'), 'c');
  });
});

test('more directories than the cache holds, each with files: every file lands in its own directory', async () => {
  await withRoot(async (root, r) => {
    const entries: Array<[Entry, string?]> = [];
    for (let i = 0; i < 300; i++) {
      entries.push([{ name: `t/d${i}/`, type: 'directory', mode: 0o755, mtime: t0 }]);
      for (let j = 0; j < 3; j++) entries.push([{ name: `t/d${i}/f${j}`, mode: 0o644, mtime: t0 }, `${i}.${j}`]);
    }
    await extract(r, entries);
    for (const i of [0, 1, 255, 256, 299]) {
      assert.deepEqual((await fs.readdir(path.join(root, `t/d${i}`))).sort(), ['f0', 'f1', 'f2']);
      assert.equal(await fs.readFile(path.join(root, `t/d${i}/f2`), 'utf8'), `${i}.2`);
    }
    assert.equal((await fs.readdir(path.join(root, 't'))).length, 300);
  });
});

test('a file over one the tree already has replaces it; a symlink in the way is replaced, not followed', async () => {
  await withRoot(async (root, r) => {
    await fs.mkdir(path.join(root, 'e'));
    await fs.writeFile(path.join(root, 'e/old'), 'old');
    await fs.writeFile(path.join(root, 'target'), 'keep');
    await fs.symlink('../target', path.join(root, 'e/link'));
    await extract(r, [
      [{ name: 'e/', type: 'directory', mode: 0o755, mtime: t0 }],
      [{ name: 'e/old', mode: 0o644, mtime: t0 }, 'new'],
      [{ name: 'e/link', mode: 0o644, mtime: t0 }, 'file'],
    ]);
    assert.equal(await fs.readFile(path.join(root, 'e/old'), 'utf8'), 'new');
    assert.equal(await fs.readFile(path.join(root, 'e/link'), 'utf8'), 'file');
    assert.equal((await fs.lstat(path.join(root, 'e/link'))).isSymbolicLink(), false);
    assert.equal(await fs.readFile(path.join(root, 'target'), 'utf8'), 'keep');
  });
});
