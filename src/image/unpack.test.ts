import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { createUnpacker, unpackTar } from './unpack.js';
import { isKind } from '../errdefs/index.js';

type Entry = Partial<tar.Header> & { name: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Readable> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((resolve, reject) =>
      body === undefined ? pack.entry(h, (err) => (err ? reject(err) : resolve())) : pack.entry(h, body, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await ended;
  return Readable.from([Buffer.concat(chunks)]);
}

async function withDirs(fn: (dest: string, outside: string) => Promise<void>): Promise<void> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-unpack-'));
  const dest = path.join(base, 'dest');
  const outside = path.join(base, 'outside');
  await fs.mkdir(dest);
  await fs.mkdir(outside);
  try {
    await fn(dest, outside);
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
}

async function assertRefused(entries: Entry[], entryName: string): Promise<void> {
  await withDirs(async (dest, outside) => {
    await assert.rejects(unpackTar(await tarOf(entries), dest), (err: unknown) => {
      assert.ok(isKind(err, 'invalid-argument'), String(err));
      assert.ok((err as Error).message.includes(entryName), (err as Error).message);
      return true;
    });
    assert.deepEqual(await fs.readdir(outside), []);
  });
}

test('unpack: files, dirs, symlinks, hard links keep mode, owner and mtime', async () => {
  await withDirs(async (dest) => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    const res = await unpackTar(
      await tarOf([
        { name: './', type: 'directory', mode: 0o755, mtime },
        { name: 'etc/', type: 'directory', mode: 0o750, uid: 12, gid: 34, mtime },
        { name: 'etc/hosts', type: 'file', mode: 0o4711, uid: 5, gid: 6, mtime, body: 'hello' },
        { name: 'etc/big', type: 'file', mode: 0o644, mtime, body: 'x'.repeat(200_000) },
        { name: 'etc/link', type: 'symlink', linkname: '/etc/hosts', uid: 7, gid: 8, mtime },
        { name: 'etc/hard', type: 'link', linkname: 'etc/hosts', mtime },
        { name: 'deep/a/b/c', type: 'file', mode: 0o600, mtime, body: 'c' },
      ]),
      dest,
    );
    assert.equal(res.size, 5 + 200_000 + 1);
    const st = await fs.stat(path.join(dest, 'etc/hosts'));
    assert.equal(st.mode & 0o7777, 0o4711);
    assert.equal(st.uid, 5);
    assert.equal(st.gid, 6);
    assert.equal(st.mtime.getTime(), mtime.getTime());
    assert.equal(st.nlink, 2);
    const dst = await fs.stat(path.join(dest, 'etc'));
    assert.equal(dst.mode & 0o7777, 0o750);
    assert.equal(dst.uid, 12);
    assert.equal(dst.mtime.getTime(), mtime.getTime(), 'dir mtime restored after its children');
    const lst = await fs.lstat(path.join(dest, 'etc/link'));
    assert.ok(lst.isSymbolicLink());
    assert.equal(lst.uid, 7);
    assert.equal(lst.mtime.getTime(), mtime.getTime());
    assert.equal(await fs.readlink(path.join(dest, 'etc/link')), '/etc/hosts');
    assert.equal((await fs.readFile(path.join(dest, 'etc/big'))).length, 200_000);
    assert.equal(await fs.readFile(path.join(dest, 'deep/a/b/c'), 'utf8'), 'c');
  });
});

test('unpack: refuses ".." components', async () => {
  await assertRefused([{ name: '../evil', type: 'file', body: 'x' }], '../evil');
  await assertRefused([{ name: 'a/../../evil', type: 'file', body: 'x' }], 'a/../../evil');
});

test('unpack: absolute names stay inside the layer', async () => {
  await withDirs(async (dest, outside) => {
    await unpackTar(await tarOf([{ name: path.join(outside, 'abs'), type: 'file', body: 'x' }]), dest);
    assert.deepEqual(await fs.readdir(outside), []);
    assert.equal(await fs.readFile(path.join(dest, outside, 'abs'), 'utf8'), 'x');
  });
});

test('unpack: absolute symlink then a file through it stays inside the layer', async () => {
  await withDirs(async (dest, outside) => {
    await unpackTar(
      await tarOf([
        { name: 'evil', type: 'symlink', linkname: outside },
        { name: 'evil/pwned', type: 'file', body: 'x' },
      ]),
      dest,
    );
    assert.deepEqual(await fs.readdir(outside), []);
    assert.equal(await fs.readFile(path.join(dest, outside, 'pwned'), 'utf8'), 'x');
  });
});

test('unpack: relative symlink dir escape stays inside the layer', async () => {
  await withDirs(async (dest, outside) => {
    const up = path.relative(dest, outside); // ../outside
    await unpackTar(
      await tarOf([
        { name: 'a/', type: 'directory' },
        { name: 'a/up', type: 'symlink', linkname: `../../../../../../..${outside}` },
        { name: 'a/up/pwned', type: 'file', body: 'x' },
        { name: 'b', type: 'symlink', linkname: up },
        { name: 'b/pwned2', type: 'file', body: 'y' },
      ]),
      dest,
    );
    assert.deepEqual(await fs.readdir(outside), []);
    assert.equal(await fs.readFile(path.join(dest, outside, 'pwned'), 'utf8'), 'x');
  });
});

test('unpack: a file over an existing symlink replaces the link, never writes through it', async () => {
  await withDirs(async (dest, outside) => {
    const victim = path.join(outside, 'victim');
    await fs.writeFile(victim, 'safe');
    await unpackTar(
      await tarOf([
        { name: 'f', type: 'symlink', linkname: victim },
        { name: 'f', type: 'file', body: 'overwritten' },
      ]),
      dest,
    );
    assert.equal(await fs.readFile(victim, 'utf8'), 'safe');
    assert.equal(await fs.readFile(path.join(dest, 'f'), 'utf8'), 'overwritten');
  });
});

test('unpack: hard link to /etc/passwd is refused', async () => {
  await assertRefused([{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }], 'passwd');
  await assertRefused(
    [
      { name: 'etc', type: 'symlink', linkname: '/etc' },
      { name: 'p2', type: 'link', linkname: 'etc/passwd' },
    ],
    'p2',
  );
});

test('unpack: a hard link with ".." in its target is refused naming the link entry', async () => {
  await assertRefused([{ name: 'hl-entry', type: 'link', linkname: '../../etc/shadow' }], '"hl-entry": hard link target ../../etc/shadow escapes the layer');
});

test('unpack: device nodes are refused', async () => {
  await assertRefused([{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }], 'dev/null');
  await assertRefused([{ name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 }], 'dev/sda');
});

test('unpack: OCI whiteouts become overlay whiteouts', async () => {
  await withDirs(async (dest) => {
    await unpackTar(
      await tarOf([
        { name: 'dir/', type: 'directory' },
        { name: 'dir/.wh..wh..opq', type: 'file', body: '' },
        { name: 'etc/.wh.gone', type: 'file', body: '' },
        { name: '.wh..wh.plnk', type: 'directory' },
      ]),
      dest,
    );
    const st = await fs.lstat(path.join(dest, 'etc/gone'));
    assert.ok(st.isCharacterDevice());
    assert.equal(st.rdev, 0);
    await assert.rejects(fs.lstat(path.join(dest, 'etc/.wh.gone')));
    await assert.rejects(fs.lstat(path.join(dest, '.wh..wh.plnk')));
    const attr = execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', path.join(dest, 'dir')]).toString();
    assert.equal(attr, 'y');
  });
});

test('unpack: root-owned entries in a set-gid directory still get their own group and mode', async () => {
  await withDirs(async (dest) => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    await unpackTar(
      await tarOf([
        { name: 'shared/', type: 'directory', mode: 0o2775, uid: 0, gid: 34, mtime },
        { name: 'shared/f', type: 'file', mode: 0o644, mtime, body: 'f' },
        { name: 'shared/sub/', type: 'directory', mode: 0o755, mtime },
        { name: 'shared/implicit/g', type: 'file', mode: 0o777, mtime, body: 'g' },
        { name: 'shared/l', type: 'symlink', linkname: 'f', mtime },
        { name: 'plain/h', type: 'file', mode: 0o640, mtime, body: 'h' },
      ]),
      dest,
    );
    const want: Array<[string, number, number]> = [
      ['shared', 0o2775, 34],
      ['shared/f', 0o644, 0],
      ['shared/sub', 0o755, 0],
      ['shared/implicit/g', 0o777, 0],
      ['plain/h', 0o640, 0],
    ];
    for (const [p, mode, gid] of want) {
      const st = await fs.lstat(path.join(dest, p));
      assert.equal(st.mode & 0o7777, mode, p);
      assert.equal(st.gid, gid, p);
      assert.equal(st.uid, 0, p);
    }
    assert.equal((await fs.lstat(path.join(dest, 'shared/l'))).gid, 0);
    assert.equal((await fs.stat(path.join(dest, 'shared/f'))).mtime.getTime(), mtime.getTime());
  });
});

test('unpack: entries take effect in archive order while files are written concurrently', async () => {
  await withDirs(async (dest) => {
    const files = Array.from({ length: 40 }, (_, i) => ({ name: `d/f${i}`, type: 'file' as const, mode: 0o644, body: `v1-${i}` }));
    await unpackTar(
      await tarOf([
        ...files,
        { name: 'd/f3', type: 'file', mode: 0o600, body: 'v2' }, // same name again: the later wins
        { name: 'd/f4/', type: 'directory', mode: 0o755 }, // a file replaced by a directory
        { name: 'd/f4/x', type: 'file', body: 'x' },
        { name: 'd/.wh.f5', type: 'file', body: '' }, // a whiteout over a just-written file
        { name: 'd/f6', type: 'symlink', linkname: 'f7' }, // a file replaced by a symlink
        { name: 'd/h', type: 'link', linkname: 'd/f8' },
      ]),
      dest,
    );
    assert.equal(await fs.readFile(path.join(dest, 'd/f3'), 'utf8'), 'v2');
    assert.equal((await fs.stat(path.join(dest, 'd/f3'))).mode & 0o777, 0o600);
    assert.equal(await fs.readFile(path.join(dest, 'd/f4/x'), 'utf8'), 'x');
    const wh = await fs.lstat(path.join(dest, 'd/f5'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
    assert.equal(await fs.readlink(path.join(dest, 'd/f6')), 'f7');
    assert.equal((await fs.stat(path.join(dest, 'd/h'))).nlink, 2);
    assert.equal(await fs.readFile(path.join(dest, 'd/f39'), 'utf8'), 'v1-39');
  });
  await assertRefused([{ name: 'a', type: 'file', body: 'a' }, { name: 'a/b', type: 'file', body: 'b' }], 'a/b');
});

test('unpack: a writer destroyed midway fails the unpack, and the next unpacks still work', async () => {
  await withDirs(async (dest) => {
    const { writable, done } = createUnpacker(dest);
    const bytes = Buffer.concat(await (await tarOf([{ name: 'big', type: 'file', body: 'x'.repeat(200_000) }])).toArray());
    writable.write(bytes.subarray(0, 1024));
    writable.destroy(new Error('connection reset'));
    await assert.rejects(done, /connection reset/);
  });
  await withDirs(async (dest) => {
    // Several at once (a pull unpacks 3 layers in parallel), each on its own worker.
    await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        await fs.mkdir(path.join(dest, `l${i}`));
        const r = await unpackTar(await tarOf([{ name: `f${i}`, type: 'file', body: 'y'.repeat(i) }]), path.join(dest, `l${i}`));
        assert.equal(r.size, i);
      }),
    );
    for (const i of [1, 2, 3, 4, 5]) assert.equal(await fs.readFile(path.join(dest, `l${i}`, `f${i}`), 'utf8'), 'y'.repeat(i));
  });
});

test('unpack: a truncated tar is refused', async () => {
  await withDirs(async (dest) => {
    const bytes = Buffer.concat(await (await tarOf([{ name: 'f', type: 'file', body: 'z'.repeat(10_000) }])).toArray());
    await assert.rejects(unpackTar(Readable.from([bytes.subarray(0, 4000)]), dest), (err: unknown) => isKind(err, 'invalid-argument'));
  });
});

test('unpack: a layer many times the in-flight window arrives whole (backpressure, not a stall)', async () => {
  await withDirs(async (dest) => {
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `big${i}`, type: 'file' as const, body: String(i).repeat(3 << 20) }));
    const bytes = Buffer.concat(await (await tarOf(files)).toArray());
    // Small chunks, as a network stream delivers them.
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    const r = await unpackTar(Readable.from(chunks), dest);
    assert.equal(r.size, 6 * (3 << 20));
    assert.equal((await fs.stat(path.join(dest, 'big5'))).size, 3 << 20);
  });
});
