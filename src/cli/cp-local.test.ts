import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { tarLocal, untarLocal } from './cp-local.js';

test('untarLocal: padding after the end-of-archive blocks (tar has stopped reading) is not an error', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wharf-cp-local-'));
  try {
    writeFileSync(path.join(dir, 'f'), 'hello\n');
    const tar = execFileSync('tar', ['-C', dir, '-cf', '-', 'f']);
    const out = path.join(dir, 'out');
    execFileSync('mkdir', [out]);
    // 4 MiB of zero records after the archive: far more than a pipe holds once tar exits.
    await untarLocal(Readable.from([tar, Buffer.alloc(4 << 20)]), out);
    assert.equal(readFileSync(path.join(out, 'f'), 'utf8'), 'hello\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('untarLocal: an archive stream that fails midway fails the copy with its message (no crash)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wharf-cp-local-'));
  try {
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(512));
        this.destroy(new Error('connection reset by the daemon'));
      },
    });
    await assert.rejects(untarLocal(broken, dir), { message: 'connection reset by the daemon' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tarLocal: a tar that fails ends its stream with the error, not a clean end (an upload is aborted)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wharf-cp-local-'));
  try {
    const t = tarLocal({ path: path.join(dir, 'missing'), exists: true, isDir: false });
    const read = (async () => {
      for await (const chunk of t.stream) void chunk;
    })();
    await assert.rejects(read, /missing/);
    await assert.rejects(t.done, /missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
