import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { markTopDirectory } from './spread.js';

test('markTopDirectory sets ext4\'s top-directory flag, or reports that it could not', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wharf-spread-'));
  try {
    const set = await markTopDirectory(dir);
    const fsType = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    if (fsType === 'ext2/ext3') assert.equal(set, true); // stat names ext4 so
    if (set) assert.match(execFileSync('lsattr', ['-d', dir], { encoding: 'utf8' }).split(' ')[0]!, /T/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('markTopDirectory of a missing directory is false, not an error', async () => {
  assert.equal(await markTopDirectory('/nonexistent/wharf-spread'), false);
});
