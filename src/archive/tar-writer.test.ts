import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { TarWriter, type TarHeader } from './tar-writer.js';

async function collect(w: TarWriter, produce: () => Promise<void>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  w.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    w.stream.on('end', resolve);
    w.stream.on('error', reject);
  });
  await produce();
  await ended;
  return Buffer.concat(chunks);
}

function fromBuffer(src: Buffer): (buf: Buffer, off: number, len: number, pos: number) => number {
  return (buf, off, len, pos) => src.copy(buf, off, pos, Math.min(src.length, pos + len));
}

async function parse(bytes: Buffer): Promise<Array<{ header: tar.Header; body: Buffer }>> {
  const out: Array<{ header: tar.Header; body: Buffer }> = [];
  const ex = tar.extract();
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      out.push({ header: e.header, body: Buffer.concat(parts) });
    }
  })();
  ex.end(bytes);
  await done;
  return out;
}

const base = { mode: 0o644, uid: 0, gid: 0, mtime: 981173106 };

test('entries round-trip through tar-stream and GNU tar: long, 100-byte and non-ASCII names, big ids, big files, links', async () => {
  const big = Buffer.alloc(2.5 * 1024 * 1024 + 7);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const small = Buffer.from('hello\n');
  const longDir = `${'d'.repeat(120)}/${'e'.repeat(90)}`;
  const veryLong = `${'x'.repeat(200)}/${'y'.repeat(120)}`;
  const entries: Array<{ h: TarHeader; body?: Buffer }> = [
    { h: { ...base, name: 'dir', type: 'directory', mode: 0o755 } },
    { h: { ...base, name: 'dir/small.txt', type: 'file', size: small.length, uid: 1234, gid: 567 }, body: small },
    { h: { ...base, name: 'dir/big.bin', type: 'file', size: big.length }, body: big },
    { h: { ...base, name: 'dir/empty', type: 'file', size: 0 } },
    { h: { ...base, name: `${longDir}/f`, type: 'file', size: small.length }, body: small },
    { h: { ...base, name: veryLong, type: 'file', size: small.length, uid: 3_000_000, gid: 4_000_000 }, body: small },
    { h: { ...base, name: 'dir/héllo wörld', type: 'file', size: small.length }, body: small },
    { h: { ...base, name: 'dir/link', type: 'symlink', linkname: `../${veryLong}` } },
    { h: { ...base, name: 'dir/hard', type: 'link', linkname: 'dir/small.txt' } },
    { h: { ...base, name: 'dir/fifo', type: 'fifo' } },
    { h: { ...base, name: 'dir/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 } },
    // Exactly fills the name field, no slash to split at: must not come back as "./nnn…".
    { h: { ...base, name: 'n'.repeat(100), type: 'file', size: small.length }, body: small },
  ];
  const w = new TarWriter();
  const bytes = await collect(w, async () => {
    for (const e of entries) {
      if (e.body) await w.file({ ...e.h, size: e.body.length }, fromBuffer(e.body));
      else await w.entry(e.h);
    }
    await w.finish();
  });
  assert.equal(bytes.length % 512, 0);
  const got = await parse(bytes);
  assert.deepEqual(
    got.map((g) => [g.header.name, g.header.type, g.header.size, g.header.uid, g.header.gid, g.header.mode, g.header.linkname ?? null]),
    entries.map((e) => [e.h.type === 'directory' ? `${e.h.name}/` : e.h.name, e.h.type, e.body?.length ?? 0, e.h.uid, e.h.gid, e.h.mode, e.h.linkname ?? null]),
  );
  assert.equal(got[2]!.body.equals(big), true);
  assert.equal(got[1]!.header.mtime!.getTime(), base.mtime * 1000);
  assert.equal(got[10]!.header.devmajor, 1);
  assert.equal(got[10]!.header.devminor, 3);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-tarw-'));
  try {
    await fs.writeFile(path.join(tmp, 't.tar'), bytes);
    const list = execFileSync('tar', ['--numeric-owner', '-tvf', path.join(tmp, 't.tar')], { encoding: 'utf8' });
    assert.match(list, new RegExp(`3000000/4000000 +6 2001-02-03 04:05 ${veryLong}\\n`));
    assert.match(list, /dir\/héllo wörld\n/);
    assert.match(list, new RegExp(`${longDir}/f\\n`));
    assert.match(list, new RegExp(` ${'n'.repeat(100)}\\n`));
    await fs.mkdir(path.join(tmp, 'x'));
    execFileSync('tar', ['-xf', path.join(tmp, 't.tar'), '-C', path.join(tmp, 'x'), '--exclude', 'dir/null']);
    assert.equal((await fs.readFile(path.join(tmp, 'x/dir/big.bin'))).equals(big), true);
    assert.equal(await fs.readlink(path.join(tmp, 'x/dir/link')), `../${veryLong}`);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('a file that shrinks while read fails; a reader that stops reading stalls the writer', async () => {
  const w = new TarWriter();
  w.stream.on('error', () => undefined);
  await assert.rejects(w.file({ ...base, name: 'f', type: 'file', size: 10 }, () => 0), /shrank/);

  const w2 = new TarWriter();
  const body = Buffer.alloc(1024 * 1024);
  let written = 0;
  const producing = (async () => {
    for (let i = 0; i < 20; i++) {
      await w2.file({ ...base, name: `f${i}`, type: 'file', size: body.length }, fromBuffer(body));
      written++;
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(written < 20, `backpressure: ${written} files written with nobody reading`);
  w2.stream.destroy();
  await assert.rejects(producing, /closed/);
});

test('xattrs become SCHILY.xattr PAX records that GNU tar restores (a capability), alone or with a long name', async () => {
  // setcap cap_net_raw+ep: VFS_CAP_REVISION_2 | effective, permitted bit 13.
  const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  const body = Buffer.from('#!/bin/sh\n');
  const longName = `${'l'.repeat(120)}/ping`;
  const xattrs = new Map([['security.capability', cap]]);
  const w = new TarWriter();
  const bytes = await collect(w, async () => {
    await w.entry({ ...base, name: 'bin', type: 'directory', mode: 0o755 });
    await w.file({ ...base, name: 'bin/ping', type: 'file', mode: 0o755, size: body.length, xattrs }, fromBuffer(body));
    await w.file({ ...base, name: longName, type: 'file', mode: 0o755, size: body.length, xattrs }, fromBuffer(body));
    await w.file({ ...base, name: 'bin/plain', type: 'file', size: body.length }, fromBuffer(body));
    await w.finish();
  });
  const record = Buffer.concat([Buffer.from('57 SCHILY.xattr.security.capability='), cap, Buffer.from('\n')]);
  assert.equal(record.length, 57);
  // The short-named file's pax body is that one record and nothing else (as Go writes it).
  assert.equal(bytes.subarray(1024, 1024 + 512).equals(Buffer.concat([record, Buffer.alloc(512 - 57)])), true);
  const got = await parse(bytes);
  assert.deepEqual(got.map((g) => [g.header.name, g.header.size, g.body.toString()]), [
    ['bin/', 0, ''],
    ['bin/ping', body.length, body.toString()],
    [longName, body.length, body.toString()],
    ['bin/plain', body.length, body.toString()],
  ]);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-tarw-'));
  try {
    await fs.writeFile(path.join(tmp, 't.tar'), bytes);
    await fs.mkdir(path.join(tmp, 'x'));
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xf', path.join(tmp, 't.tar'), '-C', path.join(tmp, 'x')]);
    const caps = execFileSync('getcap', ['-r', path.join(tmp, 'x')], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    assert.deepEqual(caps, [`${path.join(tmp, 'x/bin/ping')} cap_net_raw=ep`, `${path.join(tmp, 'x', longName)} cap_net_raw=ep`]);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

test('fileFromFd: a small file read synchronously and a big one through the thread pool give the same entries as their bytes', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-tarfd-'));
  try {
    const small = Buffer.alloc(3000, 7);
    const big = Buffer.alloc(5 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    await fs.writeFile(path.join(dir, 's'), small);
    await fs.writeFile(path.join(dir, 'b'), big);
    const base: TarHeader = { name: '', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1 };
    const w = new TarWriter();
    const bytes = await collect(w, async () => {
      for (const [name, body] of [['s', small], ['b', big]] as const) {
        const fh = await fs.open(path.join(dir, name), 'r');
        try {
          await w.fileFromFd({ ...base, name, size: body.length }, fh.fd);
        } finally {
          await fh.close();
        }
      }
      await w.finish();
    });
    const got = await parse(bytes);
    assert.deepEqual(got.map((e) => [e.header.name, e.header.size]), [['s', small.length], ['b', big.length]]);
    assert.ok(got[0]!.body.equals(small));
    assert.ok(got[1]!.body.equals(big));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
