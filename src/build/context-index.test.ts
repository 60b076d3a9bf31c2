import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import tar from 'tar-stream';
import { ContextIndex } from './context-index.js';

type Spec = { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; mode?: number; linkname?: string };

/** A context tar from a list of entries, as a client would send it. */
async function tarOf(entries: Spec[]): Promise<Readable> {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  for (const e of entries) {
    const type = e.type ?? 'file';
    pack.entry({ name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), linkname: e.linkname, mtime: new Date(1e12) }, type === 'file' ? (e.body ?? '') : '');
  }
  pack.finalize();
  return out;
}

async function withIndex(entries: Spec[], fn: (ix: ContextIndex, dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctxix-'));
  try {
    await fn(await ContextIndex.receive(await tarOf(entries), dir), dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const none = () => false;
const base: Spec[] = [
  { name: 'Dockerfile', body: 'FROM busybox\n' },
  { name: 'data/', type: 'directory' },
  { name: 'data/a', body: 'aaa' },
  { name: 'data/b', body: 'bbb', mode: 0o600 },
  { name: 'last/one', body: '1' },
];

test('context index: files read back from the spool; digests of the sources a COPY names', async () => {
  await withIndex(base, async (ix) => {
    assert.equal((await ix.readFile('Dockerfile'))?.toString(), 'FROM busybox\n');
    assert.equal((await ix.readFile('./data/a'))?.toString(), 'aaa');
    assert.equal(await ix.readFile('data'), undefined); // a directory
    assert.equal(await ix.readFile('nope'), undefined);
    const data = ix.sourceDigest(['data'], none);
    assert.match(data ?? '', /^[0-9a-f]{64}$/);
    // Another file changing does not touch the digest; one in scope does, and so does ignoring it.
    await withIndex(base.map((e) => (e.name === 'last/one' ? { ...e, body: '2' } : e)), async (ix2) => {
      assert.equal(ix2.sourceDigest(['data'], none), data);
      assert.notEqual(ix2.sourceDigest(['last'], none), ix.sourceDigest(['last'], none));
    });
    await withIndex(base.map((e) => (e.name === 'data/b' ? { ...e, mode: 0o644 } : e)), async (ix2) => assert.notEqual(ix2.sourceDigest(['data'], none), data));
    assert.notEqual(ix.sourceDigest(['data'], (r) => r === 'data/a'), data);
    assert.notEqual(ix.sourceDigest(['data'], (r) => r === 'data'), data);
    // Cases only unpacking can answer: globs, missing paths.
    assert.equal(ix.sourceDigest(['data/*'], none), undefined);
    // The whole context: every entry counts, the Dockerfile too (as in Docker).
    assert.match(ix.sourceDigest(['.'], none) ?? '', /^[0-9a-f]{64}$/);
    await withIndex(base.map((e) => (e.name === 'last/one' ? { ...e, body: '2' } : e)), async (ix2) => assert.notEqual(ix2.sourceDigest(['.'], none), ix.sourceDigest(['.'], none)));
    assert.equal(ix.sourceDigest(['missing'], none), undefined);
    assert.equal(ix.sourceDigest(['../x'], none), undefined);
  });
});

test('context index: a path through a symlink is left to the unpacked tree', async () => {
  await withIndex([...base, { name: 'link', type: 'symlink', linkname: 'data' }], async (ix) => {
    assert.equal(ix.sourceDigest(['link'], none), undefined);
    assert.equal(ix.sourceDigest(['link/a'], none), undefined);
    assert.ok(ix.isLink('link'));
    assert.match(ix.sourceDigest(['data'], none) ?? '', /^[0-9a-f]{64}$/);
  });
});

test('context index: materialize unpacks only what a step needs, and knows the digests', async () => {
  await withIndex(base, async (ix) => {
    const part = await ix.materialize(['data']);
    assert.deepEqual((await fs.readdir(part)).sort(), ['data']);
    assert.equal(await fs.readFile(path.join(part, 'data/a'), 'utf8'), 'aaa');
    assert.equal((await fs.stat(path.join(part, 'data/b'))).mode & 0o7777, 0o600);
    assert.equal(ix.digestOf(path.join(part, 'data/b')), createHash('sha256').update('bbb').digest('hex'));
    assert.equal(ix.digestOf(path.join(part, 'data')), undefined);
    const full = await ix.materialize();
    assert.deepEqual((await fs.readdir(full)).sort(), ['Dockerfile', 'data', 'last']);
    // Once all is unpacked, every later step reuses it.
    assert.equal(await ix.materialize(['last']), full);
    assert.equal(await ix.materialize(['data/*']), full);
  });
});

test('context index: a name that leaves the context ends the read with a clear error', async () => {
  await assert.rejects(withIndex([{ name: 'ok', body: 'x' }, { name: '../evil', body: 'y' }], async () => undefined), /path escapes the layer/);
});

test('context index: a truncated tar is an error, not a crash', async () => {
  const whole: Buffer[] = [];
  for await (const c of await tarOf([{ name: 'big', body: 'z'.repeat(100_000) }])) whole.push(c as Buffer);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ctxix-'));
  try {
    await assert.rejects(ContextIndex.receive(Readable.from([Buffer.concat(whole).subarray(0, 20_000)]), dir), /Unexpected end of data/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
