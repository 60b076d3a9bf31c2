// Docker's ContainerPathStat (the X-Docker-Container-Path-Stat header of the archive
// endpoints): name, size, Go os.FileMode bits, mtime (RFC 3339, nanoseconds) and, for a
// symlink, where it leads inside the container.
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { components, ScopedRoot, type Resolved } from './scoped-root.js';

export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type bits in the high bits (ModeDir = 1<<31…). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

// Go's os.FileMode type bits (io/fs).
const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** Go's FileMode for a stat result, as Docker's API sends it (the docker CLI decodes it). */
export function goFileMode(st: { mode: number | bigint }): number {
  const m = Number(st.mode);
  let out = m & 0o777;
  switch (m & 0o170000) {
    case 0o040000: out += GO_MODE.dir; break;
    case 0o120000: out += GO_MODE.symlink; break;
    case 0o060000: out += GO_MODE.device; break;
    case 0o020000: out += GO_MODE.device + GO_MODE.charDevice; break;
    case 0o010000: out += GO_MODE.namedPipe; break;
    case 0o140000: out += GO_MODE.socket; break;
  }
  if (m & 0o4000) out += GO_MODE.setuid;
  if (m & 0o2000) out += GO_MODE.setgid;
  if (m & 0o1000) out += GO_MODE.sticky;
  return out;
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const f = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${f}Z`;
}

/**
 * The container path as Docker names it: absolute, cleaned, but keeping a trailing "/"
 * or "/." (they mean "must be a directory" and "its contents" to `docker cp`).
 */
export function containerAbsPath(p: string): string {
  const clean = path.posix.resolve('/', p);
  if (p.endsWith('/.') || p === '.') return clean === '/' ? '/.' : `${clean}/.`;
  if (p.endsWith('/') && clean !== '/') return `${clean}/`;
  return clean;
}

/** Docker's name for an archive root: filepath.Base of the absolute path ("/" for the root). */
export function baseName(absPath: string): string {
  if (absPath.endsWith('/.')) return '.';
  const trimmed = absPath.replace(/\/+$/, '');
  return trimmed === '' ? '/' : path.posix.basename(trimmed);
}

/** A trailing "/" or "/." makes the last component resolve (lstat("dir/") follows a symlink). */
export function assertsDirectory(absPath: string): boolean {
  return absPath.endsWith('/') || absPath.endsWith('/.');
}

/**
 * Resolves a path the way lstat would inside the container: the last component is not
 * followed unless the path ends in "/" or "/.". Throws ENOTDIR-coded errors like lstat.
 * The caller releases `resolved.parent`.
 */
export async function lstatPath(root: ScopedRoot, absPath: string): Promise<{ resolved: Resolved; st: BigIntStats }> {
  const followLast = assertsDirectory(absPath);
  const resolved = await root.resolve(absPath, { followLast });
  try {
    const st = await root.lstat(resolved, { bigint: true });
    if (followLast && !st.isDirectory()) throw Object.assign(new Error(`lstat ${absPath}: not a directory`), { code: 'ENOTDIR' });
    return { resolved, st };
  } catch (err) {
    await root.release(resolved.parent);
    throw err;
  }
}

/** ContainerPathStat for `absPath`; the caller maps ENOENT to Docker's "Could not find the file". */
export async function statPath(root: ScopedRoot, absPath: string): Promise<PathStat> {
  const { resolved, st } = await lstatPath(root, absPath);
  await root.release(resolved.parent);
  return pathStatOf(root, absPath, st);
}

/**
 * ContainerPathStat of an entry already resolved with lstatPath (its `st`): only a symlink
 * costs another resolution, to say where it leads inside the container (it may not exist).
 */
export async function pathStatOf(root: ScopedRoot, absPath: string, st: BigIntStats): Promise<PathStat> {
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    const full = await root.resolve(absPath, { followLast: true });
    linkTarget = full.path;
    await root.release(full.parent);
  }
  return { name: baseName(absPath), size: Number(st.size), mode: goFileMode(st), mtime: rfc3339Nano(st.mtimeNs), linkTarget };
}

/** Whether a tar of the directory at container path `dir` walks into any of `mounts` (one strictly below it). */
export function hasMountBelow(dir: string, mounts: readonly { destination: string }[]): boolean {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mounts.some((m) => {
    const dest = path.posix.resolve('/', m.destination);
    return dest !== dir && dest.startsWith(prefix);
  });
}

export { components };
