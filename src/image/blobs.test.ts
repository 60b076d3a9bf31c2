import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BlobStore } from './blobs.js';
import { isKind } from '../errdefs/index.js';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function withStore(fn: (s: BlobStore) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-blobs-'));
  try {
    const s = new BlobStore(root);
    await s.init();
    await fn(s);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

test('blobs: a writer given a verified digest stores the bytes under it, size checked, no temp left', async () => {
  await withStore(async (s) => {
    const data = Buffer.from('layer bytes');
    const w = s.writer({ verified: sha(data) });
    await w.write(data);
    assert.deepEqual(await w.commit({ expected: sha(data), size: data.length }), { digest: sha(data), size: data.length });
    assert.deepEqual(await fs.readFile(s.path(sha(data))), data);
    const w2 = s.writer({ verified: sha(data) });
    await w2.write(data);
    await assert.rejects(w2.commit({ size: data.length + 1 }), (err: unknown) => isKind(err, 'invalid-argument'));
    assert.deepEqual(await s.list(), [sha(data)]);
    assert.deepEqual((await fs.readdir(s.dir)).length, 1);
  });
});

test('blobs: a malformed verified digest is refused', async () => {
  await withStore(async (s) => {
    assert.throws(() => s.writer({ verified: 'sha256:nothex' }), (err: unknown) => isKind(err, 'invalid-argument'));
  });
});
