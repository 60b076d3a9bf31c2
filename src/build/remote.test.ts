import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRemoteUrl, parseChecksum } from './remote.js';

test('parseChecksum: algorithm and hex length, with go-digest\'s errors', () => {
  const hex = 'a'.repeat(64);
  assert.deepEqual(parseChecksum(`sha256:${hex}`), { algorithm: 'sha256', hex });
  assert.throws(() => parseChecksum('sha256:abc'), /^InvalidArgument: invalid checksum digest format$|invalid checksum digest format/);
  assert.throws(() => parseChecksum(`md5:${hex}`), /unsupported digest algorithm/);
  assert.throws(() => parseChecksum(hex), /invalid checksum digest format/);
  assert.throws(() => parseChecksum(`sha256:${'A'.repeat(64)}`), /invalid checksum digest format/);
});

test('isRemoteUrl: http and https only', () => {
  assert.deepEqual(['http://x/a', 'HTTPS://x/a', 'git://x/a', 'ftp://x', 'a/http://x', 'file.txt'].map(isRemoteUrl), [true, true, false, false, false, false]);
});
