// Lookups inside an image's or the context's tree: chroot semantics through ScopedRoot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveInRoot, statInRoot } from './image-root.js';

test('resolveInRoot / statInRoot: symlinks stay inside, missing parents are undefined', async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-image-root-'));
  try {
    const root = path.join(base, 'root');
    await fs.mkdir(path.join(root, 'etc'), { recursive: true });
    await fs.mkdir(path.join(base, 'etc'));
    await fs.writeFile(path.join(root, 'etc/passwd'), 'inside');
    await fs.writeFile(path.join(base, 'etc/secret'), 'outside');
    await fs.symlink('/etc', path.join(root, 'abs'));
    await fs.symlink('../../../etc', path.join(root, 'up'));
    await fs.symlink('/nowhere', path.join(root, 'dangling'));

    assert.equal(await resolveInRoot(root, '/abs/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(await resolveInRoot(root, 'up/passwd'), path.join(root, 'etc/passwd'));
    assert.equal(await resolveInRoot(root, '/abs', { noFollow: true }), path.join(root, 'abs'));
    // ".." stops at the root: the host's base/etc/secret is never reached.
    assert.equal(await statInRoot(root, '/up/secret', { follow: true }), undefined);
    assert.equal(await resolveInRoot(root, '/missing/dir/file'), undefined);
    assert.equal(await resolveInRoot(root, '/etc/passwd/below'), undefined);
    assert.equal(await statInRoot(root, '/dangling', { follow: true }), undefined);
    assert.ok((await statInRoot(root, '/dangling'))?.isSymbolicLink());
    assert.ok((await statInRoot(root, '/abs', { follow: true }))?.isDirectory());
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
});
