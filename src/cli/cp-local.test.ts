import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { untarLocal } from './cp-local.js';

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
