// An image's file system, read-only, for the steps that look into it without running a
// container: COPY's destination checks, `--chown` name lookups (/etc/passwd, /etc/group),
// `COPY --from`. The image's layers are mounted as a read-only overlay (no upper dir) at a
// temp dir; an empty dir is always the bottom layer, since overlay wants two lower dirs
// when there is no upper one. Paths inside are resolved as if the root were "/", so a
// symlink in the image never leads out of it.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Internal, errnoCode } from '../errdefs/index.js';

const run = promisify(execFile);
const MAX_SYMLINKS = 40;

export interface ImageRoot {
  /** Host path of the mounted root. */
  readonly dir: string;
  /** Host path of `p` (absolute in the image), symlinks followed inside the root; the last component too unless `noFollow`. */
  resolve(p: string, o?: { noFollow?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function mountImageRoot(lowerDirs: string[], tmpBase: string): Promise<ImageRoot> {
  const base = await fs.mkdtemp(path.join(tmpBase, 'root-'));
  const dir = path.join(base, 'm');
  const empty = path.join(base, 'e');
  await Promise.all([fs.mkdir(dir), fs.mkdir(empty)]);
  let mounted = false;
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...lowerDirs, empty].join(':')}`, dir]);
    mounted = true;
  } catch (err) {
    await fs.rm(base, { recursive: true, force: true });
    throw new Internal(`error mounting image for build: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  return {
    dir,
    resolve: (p, o = {}) => resolveInRoot(dir, p, o),
    close: async () => {
      if (mounted) await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
      mounted = false;
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

/** `p` inside `root` with chroot semantics: ".." stops at the root, absolute links restart there. */
export async function resolveInRoot(root: string, p: string, o: { noFollow?: boolean } = {}): Promise<string> {
  let pending = p.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const c = pending.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const host = path.join(root, ...done, c);
    if (o.noFollow && pending.length === 0) {
      done.push(c);
      break;
    }
    let target: string | undefined;
    try {
      const st = await fs.lstat(host);
      if (st.isSymbolicLink()) target = await fs.readlink(host);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
    if (target === undefined) {
      done.push(c);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new Internal(`too many levels of symbolic links: ${p}`);
    const parts = target.split('/').filter((x) => x !== '' && x !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending = [...parts, ...pending];
  }
  return path.join(root, ...done);
}

/** lstat that answers undefined for a missing path. */
export async function statOrUndefined(p: string, o: { follow?: boolean } = {}) {
  try {
    return await (o.follow ? fs.stat(p) : fs.lstat(p));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

