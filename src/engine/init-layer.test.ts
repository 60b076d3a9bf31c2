import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, lstatSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeInitLayer } from './init-layer.js';

const root = process.getuid?.() === 0;

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const st = lstatSync(path.join(dir, r));
      out.push(`${r} ${e.isDirectory() ? 'dir' : e.isFile() ? `file ${st.size}` : 'other'} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

async function withDirs(fn: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-init-'));
  try {
    await fn(tmp);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

test("the init layer holds the mount points the image lacks, under directories with the image's attributes", { skip: !root && 'needs root (chown)' }, () =>
  withDirs(async (tmp) => {
    const top = path.join(tmp, 'top');
    const bottom = path.join(tmp, 'bottom');
    // bottom: /etc (0750, 7:8, an old mtime) with hosts, /proc, /sys; top: whites out /proc, has /etc too.
    await fs.mkdir(path.join(bottom, 'etc'), { recursive: true });
    await fs.writeFile(path.join(bottom, 'etc', 'hosts'), '127.0.0.1 x\n');
    await fs.mkdir(path.join(bottom, 'proc'));
    await fs.mkdir(path.join(bottom, 'sys'));
    await fs.mkdir(path.join(top, 'etc'), { recursive: true });
    await fs.chmod(path.join(top, 'etc'), 0o750);
    await fs.chown(path.join(top, 'etc'), 7, 8);
    const old = new Date('2020-01-02T03:04:05Z');
    await fs.utimes(path.join(top, 'etc'), old, old);
    execFileSync('mknod', [path.join(top, 'proc'), 'c', '0', '0']);
    const init = path.join(tmp, 'init');
    makeInitLayer(init, [top, bottom]);
    assert.deepEqual(await tree(init), [
      'dev dir 755 0:0',
      'etc dir 750 7:8',
      'etc/hostname file 0 755 0:0',
      'etc/resolv.conf file 0 755 0:0',
      'proc dir 755 0:0',
    ]);
    assert.equal(lstatSync(path.join(init, 'etc')).mtime.toISOString(), old.toISOString());
    // Nothing else is left beside it.
    assert.deepEqual((await fs.readdir(tmp)).sort(), ['bottom', 'init', 'top']);
  }));

test('an image whose /etc is a symlink gets no /etc in its init layer (the runtime makes those mount points)', () =>
  withDirs(async (tmp) => {
    const layer = path.join(tmp, 'layer');
    await fs.mkdir(path.join(layer, 'usr', 'etc'), { recursive: true });
    await fs.symlink('usr/etc', path.join(layer, 'etc'));
    for (const d of ['proc', 'sys', 'dev']) await fs.mkdir(path.join(layer, d));
    const init = path.join(tmp, 'init');
    makeInitLayer(init, [layer]);
    assert.deepEqual(await tree(init), []);
  }));

test('with no layer at all (FROM scratch) the init layer has every mount point', () =>
  withDirs(async (tmp) => {
    const init = path.join(tmp, 'init');
    makeInitLayer(init, []);
    assert.deepEqual(
      (await tree(init)).map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['dev dir', 'etc dir', 'etc/hostname file', 'etc/hosts file', 'etc/resolv.conf file', 'proc dir', 'sys dir'],
    );
  }));
