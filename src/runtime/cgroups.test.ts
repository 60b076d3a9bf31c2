import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeCgroupLeftovers } from './cgroups.js';

// Plain directories stand in for cgroup hierarchies: rmdir semantics are the same.
test('removeCgroupLeftovers removes the path and its children in every v1 hierarchy, once each', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-cg-'));
  try {
    for (const ctrl of ['memory', 'pids', 'cpu,cpuacct']) await fs.mkdir(path.join(root, ctrl, 'wharf', 'abc', 'child'), { recursive: true });
    await fs.mkdir(path.join(root, 'pids', 'wharf', 'other'), { recursive: true });
    await fs.symlink('cpu,cpuacct', path.join(root, 'cpu'));
    const res = await removeCgroupLeftovers('/wharf/abc', { root });
    assert.equal(res.removed.length, 6);
    assert.deepEqual(res.busy, []);
    for (const ctrl of ['memory', 'pids', 'cpu,cpuacct']) assert.ok(!existsSync(path.join(root, ctrl, 'wharf', 'abc')));
    assert.ok(existsSync(path.join(root, 'pids', 'wharf', 'other')));
    assert.deepEqual(await removeCgroupLeftovers('/wharf/abc', { root }), { removed: [], busy: [] });
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('removeCgroupLeftovers reports directories it cannot remove and refuses the root', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-cg-'));
  try {
    await fs.mkdir(path.join(root, 'memory', 'wharf', 'abc'), { recursive: true });
    await fs.writeFile(path.join(root, 'memory', 'wharf', 'abc', 'cgroup.procs'), '123\n'); // non-empty: like a busy cgroup
    const res = await removeCgroupLeftovers('wharf/abc', { root });
    assert.deepEqual(res.busy, [path.join(root, 'memory', 'wharf', 'abc')]);
    await assert.rejects(removeCgroupLeftovers('/', { root }));
    await assert.rejects(removeCgroupLeftovers('/wharf/..', { root }));
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});
