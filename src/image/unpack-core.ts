// Safe unpacking of one layer tar into an empty directory (the layer's diff/), turning
// OCI whiteouts into overlayfs whiteouts. A layer tar is untrusted input, so:
//  - a ".." path component is refused; absolute names are taken relative to the layer
//    root (as Docker does), so no name can leave it;
//  - parent directories are resolved by us, one lstat per component (cached per
//    directory), with symlinks interpreted as if the layer root were "/" (chroot semantics,
//    like Docker's FollowSymlinkInScope), so the kernel never follows a symlink out of the
//    layer;
//  - the last component is never followed: an existing non-directory is removed and
//    files are created with O_EXCL|O_NOFOLLOW; metadata uses lchown/lutimes;
//  - hard links must point at a non-directory already unpacked in this layer;
//  - device nodes are refused, except the 0/0 character device overlay uses as a whiteout.
// Nothing else writes into the directory while we unpack (it is a private temp dir), so
// the lstat-then-act sequence has no race to lose.
//
// Every file system call here is synchronous: this runs on a worker thread of its own
// (unpack-worker.ts, driven by unpack.ts), where blocking costs nobody anything, while a
// thread-pool round trip per call cost the daemon's main thread more than the calls
// themselves (perf of a pull: futex wake-ups of pool threads, one per call). Only reading
// the tar awaits. chown/chmod are skipped when a freshly created entry already has the
// wanted owner and mode: see `Fresh`.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { InvalidArgument, Internal, errnoCode } from '../errdefs/index.js';
import { entryComponents, paxXattrs, WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX, type TarHeader } from '../archive/tar-names.js';
const MAX_SYMLINKS = 40;

export interface UnpackResult {
  /** Bytes of regular file content written (Docker's layer "size"). */
  size: number;
}

/** One tar entry: its header and its body (tar-stream's entry stream). */
export type TarEntry = AsyncIterable<Buffer> & { header: TarHeader; resume(): unknown };

/** Per-unpack state: the root, directory times to restore, and resolved parents. */
interface Ctx {
  root: string;
  dirTimes: Array<{ p: string; mtime: Date }>;
  /** entry parent path → resolved real path; cleared whenever anything is removed. */
  dirs: Map<string, string>;
  fresh: Fresh;
}

/**
 * What a freshly created entry gets without chown/chmod: owner root:root when we run as
 * root, unless its directory is set-gid (then it takes the directory's group, and a new
 * directory the set-gid bit too); mode as asked minus the umask, set-uid/set-gid/sticky
 * bits not trusted (mkdir drops some). `sgid` holds every directory of this tree that may be
 * set-gid: only this unpacker changes modes in it, so it knows them all.
 */
interface Fresh {
  rootOwned: boolean;
  /** The process umask, or undefined when it cannot be read without changing it. */
  umask: number | undefined;
  sgid: Set<string>;
}

function freshOf(root: string): Fresh {
  const st = statSync(root);
  const sgid = new Set<string>();
  if (st.mode & 0o2000) sgid.add(root);
  return { rootOwned: process.geteuid?.() === 0 && process.getegid?.() === 0, umask: readUmask(), sgid };
}

/** From /proc: process.umask() without an argument sets the umask to 0 for a moment, and workers may not call it. */
function readUmask(): number | undefined {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? parseInt(m[1]!, 8) : undefined;
  } catch {
    return undefined;
  }
}

/** True when an entry just created in `parent` needs chown to get h's owner. */
function needsChown(fresh: Fresh, parent: string, h: TarHeader): boolean {
  return !fresh.rootOwned || (h.uid ?? 0) !== 0 || (h.gid ?? 0) !== 0 || fresh.sgid.has(parent);
}

/** True when an entry just created with `mode` (a directory if `dir`) in `parent` needs chmod. */
function needsChmod(fresh: Fresh, parent: string, mode: number, opts: { dir: boolean }): boolean {
  if (fresh.umask === undefined || (mode & fresh.umask) !== 0 || (mode & 0o7000) !== 0) return true;
  return opts.dir && fresh.sgid.has(parent);
}

/**
 * Unpacks `entries` into `dest` (which must exist). Rejects with InvalidArgument naming the
 * entry on a hostile one, and only once no call of this unpack can touch `dest` any more.
 */
export async function unpackEntries(entries: AsyncIterable<TarEntry>, dest: string): Promise<UnpackResult> {
  let size = 0;
  let ctx: Ctx;
  try {
    const root = realpathSync(dest);
    ctx = { root, dirTimes: [], dirs: new Map(), fresh: freshOf(root) };
    for await (const entry of entries) {
      try {
        size += await unpackEntry(ctx, entry.header, entry);
      } finally {
        entry.resume(); // skip whatever the handler did not read
      }
    }
  } catch (err) {
    if (err instanceof InvalidArgument || err instanceof Internal) throw err;
    if (errnoCode(err) === undefined) throw new InvalidArgument(`invalid layer tar: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  // Directory times last: creating entries inside a directory changes its mtime.
  for (const { p, mtime } of ctx.dirTimes) lutimesSync(p, mtime, mtime);
  return { size };
}

function refuse(name: string, why: string): never {
  throw new InvalidArgument(`invalid tar entry "${name}": ${why}`);
}

/**
 * Resolves directory components below the root, following symlinks inside the root as if
 * it were "/". Missing directories are created (mode 0755) when `create`, else refused.
 * Returns the real path.
 */
function scopedDir(ctx: Ctx, comps: string[], name: string, opts: { create: boolean }): string {
  const key = comps.join('/');
  const cached = ctx.dirs.get(key);
  if (cached !== undefined) return cached;
  const resolved = resolveScoped(ctx, comps, name, opts);
  ctx.dirs.set(key, resolved);
  return resolved;
}

function resolveScoped(ctx: Ctx, comps: string[], name: string, opts: { create: boolean }): string {
  const { root } = ctx;
  const stack: string[] = [];
  const queue = [...comps];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      stack.pop();
      continue;
    }
    const p = path.join(root, ...stack, c);
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (st === undefined) {
      if (!opts.create) refuse(name, `${path.join(...stack, c)} does not exist in the layer`);
      mkdirSync(p, { mode: 0o755 });
      if (ctx.fresh.sgid.has(path.join(root, ...stack))) ctx.fresh.sgid.add(p); // inherited
      stack.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) refuse(name, 'too many levels of symbolic links');
      const target = readlinkSync(p);
      if (target.startsWith('/')) stack.length = 0;
      queue.unshift(...target.split('/'));
      continue;
    }
    if (!st.isDirectory()) refuse(name, `${path.join(...stack, c)} is not a directory`);
    stack.push(c);
  }
  return path.join(root, ...stack);
}

/** Removes whatever is at `p` unless it is a directory and `keepDir`. Returns true if a dir was kept. */
function clearPath(ctx: Ctx, p: string, opts: { keepDir: boolean }): boolean {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (st === undefined) return false;
  if (st.isDirectory() && opts.keepDir) return true;
  ctx.dirs.clear(); // a cached parent may have gone with it
  rmSync(p, { recursive: true, force: true });
  return false;
}

async function unpackEntry(ctx: Ctx, h: TarHeader, entry: TarEntry): Promise<number> {
  const { root, dirTimes } = ctx;
  const name = h.name;
  const comps = entryComponents(name);
  const type = h.type ?? 'file';
  if (comps.length === 0) {
    // The layer root itself ("./"): keep its metadata.
    if (type !== 'directory') refuse(name, 'the layer root must be a directory');
    applyMetadata(root, h, { chown: true, chmod: true, symlink: false });
    noteDirMode(ctx, root, h);
    dirTimes.push({ p: root, mtime: h.mtime ?? new Date(0) });
    return 0;
  }
  const base = comps[comps.length - 1]!;
  const parent = scopedDir(ctx, comps.slice(0, -1), name, { create: true });

  if (base.startsWith(WHITEOUT_PREFIX)) {
    if (base === WHITEOUT_OPAQUE) {
      setXattr(parent, 'trusted.overlay.opaque', Buffer.from('y'));
    } else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
      const target = path.join(parent, base.slice(WHITEOUT_PREFIX.length));
      clearPath(ctx, target, { keepDir: false });
      run('mknod', [target, 'c', '0', '0']);
    }
    return 0;
  }

  const p = path.join(parent, base);
  const mode = (h.mode ?? 0o644) & 0o7777;
  switch (type) {
    case 'directory': {
      let fresh = true;
      try {
        mkdirSync(p, { mode: mode & 0o777 });
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        fresh = !clearPath(ctx, p, { keepDir: true });
        if (fresh) mkdirSync(p, { mode: mode & 0o777 });
      }
      const chown = !fresh || needsChown(ctx.fresh, parent, h);
      const chmod = !fresh || needsChmod(ctx.fresh, parent, mode, { dir: true });
      // No lutimes: every directory's times are set at the end.
      applyMetadata(p, h, { chown, chmod, symlink: false, times: false });
      noteDirMode(ctx, p, h);
      dirTimes.push({ p, mtime: h.mtime ?? new Date(0) });
      return 0;
    }
    case 'file':
    case 'contiguous-file': {
      await writeFile(ctx, { parent, p }, entry, h);
      return h.size ?? 0;
    }
    case 'symlink': {
      try {
        symlinkSync(h.linkname ?? '', p);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        clearPath(ctx, p, { keepDir: false });
        symlinkSync(h.linkname ?? '', p);
      }
      applyMetadata(p, h, { chown: needsChown(ctx.fresh, parent, h), chmod: false, symlink: true });
      return 0;
    }
    case 'link': {
      // Checked here so that the error names this entry, not its target.
      if ((h.linkname ?? '').split('/').includes('..')) refuse(name, `hard link target ${h.linkname} escapes the layer`);
      const linkComps = entryComponents(h.linkname ?? '');
      if (linkComps.length === 0) refuse(name, 'hard link to the layer root');
      const tparent = scopedDir(ctx, linkComps.slice(0, -1), name, { create: false });
      const target = path.join(tparent, linkComps[linkComps.length - 1]!);
      const st = lstatSync(target, { throwIfNoEntry: false });
      if (st === undefined) refuse(name, `hard link target ${h.linkname} is not in the layer`);
      if (st.isDirectory()) refuse(name, 'hard link to a directory');
      if (target === p) return 0;
      clearPath(ctx, p, { keepDir: false });
      linkSync(target, p);
      return 0;
    }
    case 'fifo': {
      clearPath(ctx, p, { keepDir: false });
      run('mkfifo', [p]);
      applyMetadata(p, h, { chown: true, chmod: true, symlink: false });
      return 0;
    }
    case 'character-device':
    case 'block-device': {
      if (type === 'character-device' && (h.devmajor ?? 0) === 0 && (h.devminor ?? 0) === 0) {
        clearPath(ctx, p, { keepDir: false });
        run('mknod', [p, 'c', '0', '0']);
        applyMetadata(p, h, { chown: true, chmod: true, symlink: false });
        return 0;
      }
      refuse(name, 'device nodes are not allowed in layers');
    }
    default:
      refuse(name, `unsupported entry type ${type}`);
  }
}

/** Keeps `sgid` right for a directory whose mode was just set from its header. */
function noteDirMode(ctx: Ctx, p: string, h: TarHeader): void {
  if ((h.mode ?? 0) & 0o2000) ctx.fresh.sgid.add(p);
  else ctx.fresh.sgid.delete(p);
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Writes a regular file entry, never through a symlink: an existing entry is replaced. */
async function writeFile(ctx: Ctx, at: { parent: string; p: string }, entry: TarEntry, h: TarHeader): Promise<void> {
  const mode = (h.mode ?? 0o644) & 0o7777;
  const meta = { chown: needsChown(ctx.fresh, at.parent, h), chmod: needsChmod(ctx.fresh, at.parent, mode, { dir: false }) };
  // Created with its final permission bits when chmod is skipped, else private until chmod.
  const fd = openExcl(ctx, at.p, meta.chmod ? 0o600 : mode);
  try {
    for await (const c of entry) {
      for (let off = 0; off < c.length; ) off += writeSync(fd, c, off);
    }
    if (meta.chown) fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
    // chmod after chown: chown clears set-uid/set-gid bits.
    if (meta.chmod) fchmodSync(fd, mode);
    const mtime = h.mtime ?? new Date(0);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
  setPaxXattrs(at.p, h);
}

/** Creates `p` for writing, never through a symlink: an existing entry is replaced. */
function openExcl(ctx: Ctx, p: string, mode: number): number {
  try {
    return openSync(p, CREATE_FLAGS, mode);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    clearPath(ctx, p, { keepDir: false });
    return openSync(p, CREATE_FLAGS, mode);
  }
}

function applyMetadata(p: string, h: TarHeader, opts: { chown: boolean; chmod: boolean; symlink: boolean; times?: boolean }): void {
  if (opts.chown) lchownSync(p, h.uid ?? 0, h.gid ?? 0);
  // chmod after chown: chown clears set-uid/set-gid bits.
  if (opts.chmod && !opts.symlink) chmodSync(p, (h.mode ?? 0o644) & 0o7777);
  setPaxXattrs(p, h);
  if (opts.times === false) return;
  const mtime = h.mtime ?? new Date(0);
  lutimesSync(p, mtime, mtime);
}

function setPaxXattrs(p: string, h: TarHeader): void {
  for (const [name, value] of paxXattrs(h)) setXattr(p, name, value);
}

function setXattr(p: string, name: string, value: Buffer): void {
  // -h: never follow a symlink at the last component.
  run('setfattr', ['-h', '-n', name, '-v', `0x${value.toString('hex')}`, '--', p]);
}

/** Runs a helper for what node has no call for (mknod, mkfifo, xattrs): rare entries. */
function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) throw new Internal(`${cmd}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new Internal(`${cmd} ${args.join(' ')}: ${r.stderr.toString().trim()}`);
}
