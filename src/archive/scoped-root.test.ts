import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { extractTar } from './extract.js';
import { containerAbsPath, baseName, goFileMode, rfc3339Nano, statPath } from './path-stat.js';
import { ScopedRoot } from './scoped-root.js';

async function tree(): Promise<{ root: string; outside: string; cleanup(): Promise<void> }> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'scoped-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await fs.mkdir(path.join(root, 'etc'), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(root, 'etc/passwd'), 'inside');
  await fs.writeFile(path.join(outside, 'passwd'), 'outside');
  await fs.symlink('/', path.join(root, 'slash'));
  await fs.symlink('../../../outside', path.join(root, 'up'));
  await fs.symlink(outside, path.join(root, 'abs'));
  return { root, outside, cleanup: () => fs.rm(base, { recursive: true, force: true }) };
}

test('symlinks resolve inside the root: "/" and ".." stop at it', async () => {
  const t = await tree();
  const r = await ScopedRoot.open(t.root);
  try {
    const a = await r.resolve('/slash/etc/passwd', { followLast: true });
    assert.equal(a.path, '/etc/passwd');
    await r.release(a.parent);
    // "../../.." stops at the root: /outside does not exist in it.
    await assert.rejects(r.resolve('/up/passwd', { followLast: true }), /no such file or directory: \/outside$/);
    await assert.rejects(r.resolve('/abs/passwd', { followLast: true }), /no such file/);
  } finally {
    await r.close();
    await t.cleanup();
  }
});

test('extraction through planted symlinks stays inside; ".." entries are refused', async () => {
  const t = await tree();
  const r = await ScopedRoot.open(t.root);
  try {
    const pack = tar.pack();
    pack.entry({ name: 'abs/passwd', size: 3 }, 'new');
    pack.entry({ name: 'up/x', size: 1 }, 'y');
    pack.finalize();
    const dest = await r.resolveDir('/');
    await extractTar(pack as unknown as Readable, r, dest, { noOverwriteDirNonDir: true }).catch((e: Error) => assert.match(e.message, /overwrite non-directory/));
    assert.equal(await fs.readFile(path.join(t.outside, 'passwd'), 'utf8'), 'outside');
    const evil = tar.pack();
    evil.entry({ name: '../evil', size: 1 }, 'x');
    evil.finalize();
    await assert.rejects(extractTar(evil as unknown as Readable, r, dest, { noOverwriteDirNonDir: false }), /"\.\.\/evil" is outside of "\/"/);
    const ok = tar.pack();
    ok.entry({ name: 'slash/etc/new', size: 2, mode: 0o600, uid: 7, gid: 8, mtime: new Date('2001-01-01T00:00:00Z') }, 'hi');
    ok.finalize();
    await extractTar(ok as unknown as Readable, r, dest, { noOverwriteDirNonDir: false });
    const st = await fs.stat(path.join(t.root, 'etc/new'));
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid, st.mtime.toISOString()], [0o600, 7, 8, '2001-01-01T00:00:00.000Z']);
  } finally {
    await r.close();
    await t.cleanup();
  }
});

test('path stat: Docker names, Go file modes, RFC 3339 nanoseconds', async () => {
  assert.equal(containerAbsPath('d/.'), '/d/.');
  assert.equal(containerAbsPath('/d/'), '/d/');
  assert.equal(baseName('/d/.'), '.');
  assert.equal(baseName('/'), '/');
  assert.equal(goFileMode({ mode: 0o40755 }), 2147484141);
  assert.equal(goFileMode({ mode: 0o120777 }), 134218239);
  assert.equal(rfc3339Nano(1_000_000_000_500_000_000n), '2001-09-09T01:46:40.5Z');
  const t = await tree();
  const r = await ScopedRoot.open(t.root);
  try {
    const s = await statPath(r, '/slash');
    assert.deepEqual([s.name, s.mode, s.linkTarget], ['slash', 134218239, '/']);
    await assert.rejects(statPath(r, '/etc/passwd/'), /not a directory/);
  } finally {
    await r.close();
    await t.cleanup();
  }
});
