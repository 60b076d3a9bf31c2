import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { BlobStore } from './blobs.js';
import { chainIDOf, LayerStore } from './layers.js';

async function tarBytes(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const [name, body] of Object.entries(files)) {
    await new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644 }, body, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function withStore(fn: (layers: LayerStore, root: string) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-layers-'));
  try {
    const blobs = new BlobStore(root);
    await blobs.init();
    const layers = new LayerStore(root, blobs);
    await layers.init();
    await fn(layers, root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('addTar records a layer and keeps its blob without unpacking; ensureUnpacked builds the tree once', async () => {
  await withStore(async (layers, root) => {
    const bytes = await tarBytes({ 'a.txt': 'alpha', 'b.txt': 'bb' });
    const rec = await layers.addTar(Readable.from([bytes]), { parent: '', size: () => 7 });
    assert.equal(rec.chainID, rec.diffID);
    assert.equal(rec.size, 7);
    assert.deepEqual(await layers.get(rec.chainID), { version: 1, ...rec });
    assert.equal((await fs.readFile(path.join(root, 'content/blobs/sha256', rec.diffID.slice(7)))).equals(bytes), true);
    await assert.rejects(fs.access(layers.diffDir(rec.chainID)), { code: 'ENOENT' });

    // Concurrent callers: one unpack, the same tree, no temp dirs left.
    await Promise.all([layers.ensureUnpacked(rec.chainID), layers.ensureUnpacked(rec.chainID), layers.ensureUnpacked(rec.chainID)]);
    assert.equal(await fs.readFile(path.join(layers.diffDir(rec.chainID), 'a.txt'), 'utf8'), 'alpha');
    assert.deepEqual((await fs.readdir(layers.dir)).sort(), [rec.chainID.slice(7)]);
    assert.deepEqual((await fs.readdir(path.dirname(layers.diffDir(rec.chainID)))).sort(), ['diff', 'layer.json']);
  });
});

test('a second store over the same root finds an unpacked tree and does not redo it', async () => {
  await withStore(async (layers, root) => {
    const bytes = await tarBytes({ 'x': 'x' });
    const parent = 'sha256:' + 'a'.repeat(64);
    const rec = await layers.addTar(Readable.from([bytes]), { parent, size: () => 1 });
    assert.equal(rec.chainID, chainIDOf(parent, rec.diffID));
    await layers.ensureUnpacked(rec.chainID);
    const marker = path.join(layers.diffDir(rec.chainID), 'marker');
    await fs.writeFile(marker, '');
    const again = new LayerStore(root, new BlobStore(root));
    await again.ensureUnpacked(rec.chainID);
    await fs.access(marker);
    // Removing forgets the cached state: the layer is gone, and ensuring it again fails.
    await again.remove(rec.chainID);
    await assert.rejects(again.ensureUnpacked(rec.chainID), /not in the store/);
  });
});

test('addTar of a failing stream leaves no blob, layer or temp file', async () => {
  await withStore(async (layers, root) => {
    const src = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await assert.rejects(layers.addTar(src, { parent: '', size: () => 0 }), /boom/);
    assert.deepEqual(await fs.readdir(layers.dir), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), []);
  });
});
