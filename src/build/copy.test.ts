// COPY/ADD layer bytes: what Docker's readers look at (names, types, modes, owners, whole-second
// mtimes, link targets, bodies) must come out of the TarWriter as planned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { planTar, type PlannedEntry } from './copy.js';

async function entries(stream: Readable): Promise<Array<{ header: tar.Header; body: string }>> {
  const out: Array<{ header: tar.Header; body: string }> = [];
  const ex = tar.extract();
  const read = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      out.push({ header: e.header, body: Buffer.concat(parts).toString() });
    }
  })();
  await Promise.all([pipeline(stream, ex), read]);
  return out;
}

test('planTar: names, modes, owners, times, links and bodies as planned', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-copy-'));
  try {
    const host = path.join(dir, 'f');
    const big = 'x'.repeat(3 * 1024 * 1024 + 7);
    await fs.writeFile(host, big);
    const t = new Date('2023-05-06T07:08:09.750Z');
    const long = `deep/${'n'.repeat(120)}`;
    const plan: PlannedEntry[] = [
      { name: 'deep', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: t, size: 0 },
      { name: 'deep/big', type: 'file', mode: 0o640, uid: 1000, gid: 2000, mtime: t, size: big.length, host },
      { name: 'deep/here', type: 'file', mode: 0o4755, uid: 0, gid: 0, mtime: t, size: 2, content: Buffer.from('hi') },
      { name: 'deep/empty', type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: t, size: 0, content: Buffer.alloc(0) },
      { name: 'deep/ln', type: 'symlink', mode: 0o777, uid: 5, gid: 6, mtime: t, size: 0, linkname: '../x' },
      { name: long, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: t, size: 2, content: Buffer.from('ok') },
    ];
    const got = await entries(planTar(plan));
    assert.deepEqual(
      got.map((e) => [e.header.name, e.header.type, e.header.mode, e.header.uid, e.header.gid, e.header.mtime?.getTime(), e.header.linkname ?? null, e.body.length]),
      [
        ['deep/', 'directory', 0o755, 0, 0, 1683356889000, null, 0],
        ['deep/big', 'file', 0o640, 1000, 2000, 1683356889000, null, big.length],
        ['deep/here', 'file', 0o4755, 0, 0, 1683356889000, null, 2],
        ['deep/empty', 'file', 0o600, 0, 0, 1683356889000, null, 0],
        ['deep/ln', 'symlink', 0o777, 5, 6, 1683356889000, '../x', 0],
        [long, 'file', 0o644, 0, 0, 1683356889000, null, 2],
      ],
    );
    assert.equal(got[1]!.body, big);
    assert.equal(got[2]!.body, 'hi');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('planTar: a file that shrank since planning fails the stream', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-copy-'));
  try {
    const host = path.join(dir, 'f');
    await fs.writeFile(host, 'abc');
    const plan: PlannedEntry[] = [{ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: new Date(), size: 10, host }];
    await assert.rejects(entries(planTar(plan)), /shrank/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
