import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPrimaryGroup } from './process-user.js';

test('the primary gid comes first in the supplementary groups, as in moby getUser', () => {
  assert.deepEqual(withPrimaryGroup({ uid: 65534, gid: 65534, additionalGids: [], home: '/home' }).additionalGids, [65534]);
  assert.deepEqual(withPrimaryGroup({ uid: 0, gid: 0, additionalGids: [10], home: '/root' }).additionalGids, [0, 10]);
});
