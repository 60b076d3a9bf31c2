// Resolves a path inside a container's root file system the way the container would see
// it: symlinks are followed relative to the rootfs, and ".." never climbs above it. A
// hostile image cannot make wharfd read host files by making /etc/passwd a symlink to
// /etc/shadow on the host (moby uses github.com/cyphar/filepath-securejoin for this).
// There is a window between resolving and opening; the rootfs belongs to one container
// that is not running yet while we read it, so nobody can swap the links in between.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode, InvalidArgument } from '../errdefs/index.js';

const MAX_SYMLINKS = 255;

/** The host path of `inner` resolved inside `root` (which need not exist past the last link). */
export async function resolveInRoot(root: string, inner: string): Promise<string> {
  const pending = inner.split('/').filter((c) => c !== '' && c !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const hostPath = path.join(root, ...resolved, part);
    let target: string | undefined;
    try {
      const st = await fs.lstat(hostPath);
      if (st.isSymbolicLink()) target = await fs.readlink(hostPath);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new InvalidArgument(`too many levels of symbolic links: ${inner}`);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
  }
  return path.join(root, ...resolved);
}

/** Reads a regular file inside `root`; undefined when it does not exist. */
export async function readFileInRoot(root: string, inner: string, opts: { maxBytes: number }): Promise<string | undefined> {
  const hostPath = await resolveInRoot(root, inner);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(hostPath, 'r');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, opts.maxBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
