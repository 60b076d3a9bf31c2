import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveUser } from './user.js';
import { resolveInRoot } from './rootfs_path.js';
import { InvalidArgument } from '../errdefs/index.js';

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
# comment
bob:x:1001:100::/home/bob:/bin/sh
`;
const GROUP = `root:x:0:
daemon:x:1:
users:x:100:alice,bob
alice:x:1000:
wheel:x:10:root,alice
`;

async function withRootfs(files: Record<string, string>, fn: (root: string) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-user-'));
  try {
    for (const [p, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(root, p)), { recursive: true });
      await fs.writeFile(path.join(root, p), content);
    }
    await fn(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const db = { '/etc/passwd': PASSWD, '/etc/group': GROUP };

test('empty user is root with root\'s home and groups', () =>
  withRootfs(db, async (root) => {
    assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  }));

test('user by name gets its gid, home and supplementary groups', () =>
  withRootfs(db, async (root) => {
    assert.deepEqual(await resolveUser(root, 'alice'), { uid: 1000, gid: 1000, additionalGids: [100, 10], home: '/home/alice' });
  }));

test('user by uid matches the passwd entry', () =>
  withRootfs(db, async (root) => {
    assert.deepEqual(await resolveUser(root, '1001'), { uid: 1001, gid: 100, additionalGids: [100], home: '/home/bob' });
  }));

test('unknown numeric uid is allowed with gid 0 and home /', () =>
  withRootfs(db, async (root) => {
    assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  }));

test('name:group and uid:gid and uid:groupname set the group, no supplementary groups', () =>
  withRootfs(db, async (root) => {
    assert.deepEqual(await resolveUser(root, 'alice:wheel'), { uid: 1000, gid: 10, additionalGids: [], home: '/home/alice' });
    assert.deepEqual(await resolveUser(root, '5:6'), { uid: 5, gid: 6, additionalGids: [], home: '/' });
    assert.deepEqual(await resolveUser(root, '5:users'), { uid: 5, gid: 100, additionalGids: [], home: '/' });
  }));

test('unknown user name fails with Docker\'s wording', () =>
  withRootfs(db, async (root) => {
    await assert.rejects(resolveUser(root, 'foo'), (err: unknown) => {
      assert.ok(err instanceof InvalidArgument);
      assert.equal(err.message, 'unable to find user foo: no matching entries in passwd file');
      return true;
    });
    await assert.rejects(resolveUser(root, 'alice:nogroup'), /unable to find group nogroup: no matching entries in group file/);
  }));

test('missing files are fine for numeric ids and root', () =>
  withRootfs({}, async (root) => {
    assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [], home: '/' });
    assert.deepEqual(await resolveUser(root, '10:20'), { uid: 10, gid: 20, additionalGids: [], home: '/' });
    await assert.rejects(resolveUser(root, 'alice'), InvalidArgument);
  }));

test('a symlinked /etc/passwd pointing outside the rootfs stays inside it', () =>
  withRootfs({ '/elsewhere/passwd': 'evil:x:7:7::/evil:/bin/sh\n' }, async (root) => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-outside-'));
    try {
      await fs.writeFile(path.join(outside, 'passwd'), 'root:x:0:0::/host-root:/bin/sh\n');
      await fs.mkdir(path.join(root, 'etc'), { recursive: true });
      // Absolute link: resolved against the rootfs, not the host.
      await fs.symlink(path.join(outside, 'passwd'), path.join(root, 'etc', 'passwd'));
      assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [], home: '/' });
      // Relative link climbing with "..": clamped at the rootfs.
      await fs.rm(path.join(root, 'etc', 'passwd'));
      await fs.symlink('../../../../../../elsewhere/passwd', path.join(root, 'etc', 'passwd'));
      assert.deepEqual(await resolveUser(root, 'evil'), { uid: 7, gid: 7, additionalGids: [], home: '/evil' });
    } finally {
      await fs.rm(outside, { recursive: true, force: true });
    }
  }));

test('resolveInRoot follows directory symlinks inside the root', () =>
  withRootfs({ '/real/etc/passwd': 'x' }, async (root) => {
    await fs.symlink('/real/etc', path.join(root, 'etc'));
    assert.equal(await resolveInRoot(root, '/etc/passwd'), path.join(root, 'real/etc/passwd'));
    assert.equal(await resolveInRoot(root, '/../../etc/../etc/passwd'), path.join(root, 'real/etc/passwd'));
  }));
