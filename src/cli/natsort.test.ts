import assert from 'node:assert/strict';
import { test } from 'node:test';
import { naturalCompare } from './natsort.js';

test('natural order: digit runs as numbers', () => {
  const names = ['net10', 'net2', 'bridge', 'net1', 'host', 'a01', 'a1', 'none', '80/tcp -> 0.0.0.0:8080', '443/tcp -> 0.0.0.0:8443'];
  assert.deepEqual([...names].sort(naturalCompare), ['80/tcp -> 0.0.0.0:8080', '443/tcp -> 0.0.0.0:8443', 'a1', 'a01', 'bridge', 'host', 'net1', 'net2', 'net10', 'none']);
});
