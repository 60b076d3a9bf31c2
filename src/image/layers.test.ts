import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
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

/** What a pull does: the compressed bytes go to a blob writer, their gunzip to `ingest`. */
async function ingestKeptCompressed(layers: LayerStore, blobs: BlobStore, bytes: Buffer, expectDiffID: string) {
  const gz = gzipSync(bytes);
  const digest = `sha256:${createHash('sha256').update(gz).digest('hex')}`;
  const keep = blobs.writer({ verified: digest });
  await keep.write(gz);
  const compressed = { digest, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', compression: 'gzip' as const, commit: () => keep.commit({ expected: digest, size: gz.length }) };
  try {
    return { digest, rec: await layers.ingest(Readable.from([bytes]), { parent: '', expectDiffID, compressed }) };
  } catch (err) {
    await keep.abort();
    throw err;
  }
}

test('ingest with a kept compressed blob: no uncompressed tar blob; tars.open/size give the tar back', async () => {
  await withStore(async (layers, root) => {
    const bytes = await tarBytes({ 'a.txt': 'alpha' });
    const diffID = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const blobs = new BlobStore(root);
    const { digest, rec } = await ingestKeptCompressed(layers, blobs, bytes, diffID);
    assert.equal(rec.diffID, diffID);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), [digest.slice(7)]);
    assert.equal(await layers.tars.has(diffID), true);
    assert.equal(await layers.tars.size(diffID), bytes.length);
    const chunks: Buffer[] = [];
    for await (const c of layers.tars.open(diffID)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).equals(bytes), true);
    // Lazy unpack reads the same way (the tree is removed to force it).
    await fs.rm(layers.diffDir(rec.chainID), { recursive: true });
    const again = new LayerStore(root, blobs);
    await again.ensureUnpacked(rec.chainID);
    assert.equal(await fs.readFile(path.join(again.diffDir(rec.chainID), 'a.txt'), 'utf8'), 'alpha');
    assert.deepEqual(await layers.tars.blobsOf([diffID]), [digest]);
  });
});

test('ingest with a kept compressed blob refuses a tar that does not match its diffID and keeps nothing', async () => {
  await withStore(async (layers, root) => {
    const bytes = await tarBytes({ 'a.txt': 'alpha' });
    const blobs = new BlobStore(root);
    await assert.rejects(ingestKeptCompressed(layers, blobs, bytes, 'sha256:' + 'b'.repeat(64)), /digest mismatch/);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), []);
    assert.deepEqual(await fs.readdir(layers.dir), []);
    assert.deepEqual(await layers.tars.list(), []);
    await assert.rejects(async () => {
      for await (const _ of layers.tars.open('sha256:' + 'b'.repeat(64))) void _;
    }, /not in the store/);
  });
});

test('ensureFromBlob: two first uses at once unpack the layer once and agree on its record', async () => {
  await withStore(async (layers) => {
    const bytes = await tarBytes({ 'a.txt': 'alpha', 'b.txt': 'bb' });
    // A blob without a layer (what load finds after the layer was removed).
    const { diffID } = await layers.addTar(Readable.from([bytes]), { parent: '', size: () => 7 });
    await layers.remove(diffID);
    const open = layers.tars.open.bind(layers.tars);
    let opens = 0;
    layers.tars.open = (d: string) => {
      opens++;
      return open(d);
    };
    const [a, b] = await Promise.all([layers.ensureFromBlob(diffID, ''), layers.ensureFromBlob(diffID, '')]);
    assert.equal(opens, 1);
    assert.deepEqual(a, { chainID: diffID, diffID, parent: '', size: 7 });
    assert.deepEqual(b, { version: 1, ...a });
    assert.equal(await fs.readFile(path.join(layers.diffDir(diffID), 'a.txt'), 'utf8'), 'alpha');
    // Nothing half-made left beside the layer.
    assert.deepEqual(await fs.readdir(layers.dir), [diffID.slice(7)]);
    assert.deepEqual((await fs.readdir(path.dirname(layers.diffDir(diffID)))).sort(), ['diff', 'layer.json']);
  });
});
