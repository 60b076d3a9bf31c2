// ADD's archive rules, checked against Docker 20.10 (DOCKER_BUILDKIT=0): a .tar.zst and a
// .tar.gz of garbage are files; a truncated archive is an error naming the real cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isKind } from '../errdefs/index.js';
import { isArchive, isTarHeader, unpackArchive } from './archive-source.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-add-archive-'));
  try {
    await fn(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A tar of d/a.txt and a 200 KB d/big (random: the cut .tar.gz must be cut short), plus its compressed and damaged forms. */
async function fixtures(dir: string): Promise<Record<string, string>> {
  await fs.mkdir(path.join(dir, 'src/d'), { recursive: true });
  await fs.writeFile(path.join(dir, 'src/d/a.txt'), 'hello\n');
  await fs.writeFile(path.join(dir, 'src/d/big'), randomBytes(200_000));
  const f = (n: string) => path.join(dir, n);
  execFileSync('tar', ['-C', f('src'), '-cf', f('ok.tar'), 'd']);
  const tool = (cmd: string, out: string) => fs.writeFile(f(out), execFileSync(cmd, ['-c', f('ok.tar')]));
  await tool('gzip', 'ok.tar.gz');
  await tool('bzip2', 'ok.tar.bz2');
  await tool('xz', 'ok.tar.xz');
  await tool('zstd', 'ok.tar.zst');
  const gz = await fs.readFile(f('ok.tar.gz'));
  await fs.writeFile(f('trunc.tar.gz'), gz.subarray(0, 60_000));
  await fs.writeFile(f('trunc.tar'), (await fs.readFile(f('ok.tar'))).subarray(0, 100_000));
  await fs.writeFile(f('garbage.tar.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.alloc(2000, 0x5a)]));
  await fs.writeFile(f('text.txt'), 'just text\n'.repeat(100));
  await fs.writeFile(f('zeros'), Buffer.alloc(1024));
  return Object.fromEntries(['ok.tar', 'ok.tar.gz', 'ok.tar.bz2', 'ok.tar.xz', 'ok.tar.zst', 'trunc.tar.gz', 'trunc.tar', 'garbage.tar.gz', 'text.txt', 'zeros'].map((n) => [n, f(n)]));
}

test('isArchive: what Docker 20.10 ADD unpacks (no zstd, first header must read)', async () => {
  await withDir(async (dir) => {
    const fx = await fixtures(dir);
    const got: Record<string, boolean> = {};
    for (const [n, p] of Object.entries(fx)) got[n] = await isArchive(p);
    assert.deepEqual(got, {
      'ok.tar': true,
      'ok.tar.gz': true,
      'ok.tar.bz2': true,
      'ok.tar.xz': true,
      'ok.tar.zst': false,
      'trunc.tar.gz': true,
      'trunc.tar': true,
      'garbage.tar.gz': false,
      'text.txt': false,
      zeros: false,
    });
  });
});

test('unpackArchive: every compression ADD knows unpacks in one pass', async () => {
  await withDir(async (dir) => {
    const fx = await fixtures(dir);
    for (const n of ['ok.tar', 'ok.tar.gz', 'ok.tar.bz2', 'ok.tar.xz']) {
      const out = path.join(dir, `out-${n}`);
      await fs.mkdir(out);
      await unpackArchive(fx[n]!, out);
      assert.equal(await fs.readFile(path.join(out, 'd/a.txt'), 'utf8'), 'hello\n', n);
      assert.equal((await fs.stat(path.join(out, 'd/big'))).size, 200_000, n);
    }
  });
});

test('unpackArchive: a truncated archive fails with the real error, as Docker words it', async () => {
  await withDir(async (dir) => {
    const fx = await fixtures(dir);
    for (const n of ['trunc.tar.gz', 'trunc.tar']) {
      const out = path.join(dir, `out-${n}`);
      await fs.mkdir(out);
      await assert.rejects(unpackArchive(fx[n]!, out), (e: unknown) => {
        assert.ok(isKind(e, 'invalid-argument'), String(e));
        assert.equal((e as Error).message, 'failed to copy files: Error processing tar file(exit status 1): unexpected EOF', n);
        return true;
      });
    }
  });
});

test('isTarHeader: checksum decides; zero and short blocks are not headers', () => {
  const block = Buffer.alloc(512);
  block.write('a.txt', 0);
  block.write('0000644\0', 100);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  assert.equal(isTarHeader(block), true);
  block[0] = 0x62;
  assert.equal(isTarHeader(block), false);
  assert.equal(isTarHeader(Buffer.alloc(512)), false);
  assert.equal(isTarHeader(Buffer.alloc(100, 0x30)), false);
});
