// Safe unpacking of one layer tar into an empty directory (the layer's diff/), turning
// OCI whiteouts into overlayfs whiteouts. A layer tar is untrusted input, so:
//  - a ".." path component is refused; absolute names are taken relative to the layer
//    root (as Docker does), so no name can leave it;
//  - parent directories are resolved by us, one lstat per component, with symlinks
//    interpreted as if the layer root were "/" (chroot semantics, like Docker's
//    FollowSymlinkInScope), so the kernel never follows a symlink out of the layer;
//  - the last component is never followed: an existing non-directory is removed and
//    files are created with O_EXCL|O_NOFOLLOW; metadata uses lchown/lutimes;
//  - hard links must point at a non-directory already unpacked in this layer;
//  - device nodes are refused, except the 0/0 character device overlay uses as a whiteout.
// Nothing else writes into the directory while we unpack (it is a private temp dir), so
// the lstat-then-act sequence has no race to lose.
// Speed: creating an inode is the one costly syscall (~0.5 ms of kernel time here); it runs
// on the thread pool. The cheap calls after it (write of a small file, fchown, fchmod,
// futimes, close: a few µs each) are synchronous, as a thread-pool round trip costs the main
// thread more than the syscall itself; and chown/chmod are skipped when the freshly created entry already has the wanted owner and
// mode: see `Fresh`.

import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, fchownSync, futimesSync, open, promises as fs, readFileSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { Readable } from 'node:stream';
import { InvalidArgument, Internal, errnoCode } from '../errdefs/index.js';
import { entryComponents } from '../archive/tar-names.js';

export { entryComponents };

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const MAX_SYMLINKS = 40;
/** Files up to this size are gathered in memory and written with one call (one at a time, so this bounds memory too). */
const SMALL_FILE = 1024 * 1024;

export interface UnpackResult {
  /** Bytes of regular file content written (Docker's layer "size"). */
  size: number;
}

type Header = Omit<tar.Header, 'pax'> & { pax?: Record<string, string> | null };
type EntryStream = AsyncIterable<Buffer> & { resume(): unknown };

/**
 * Returns a writable that takes tar bytes and a promise for the unpacked result.
 * The promise rejects (InvalidArgument naming the entry) on a hostile entry.
 */
export function createUnpacker(dest: string): { writable: tar.Extract; done: Promise<UnpackResult> } {
  const extract = tar.extract();
  return { writable: extract, done: unpackEntries(extract, dest) };
}

/** Unpacks a whole tar stream into `dest` (which must exist). */
export async function unpackTar(src: Readable, dest: string): Promise<UnpackResult> {
  const { writable, done } = createUnpacker(dest);
  src.on('error', (err) => writable.destroy(err));
  src.pipe(writable as unknown as NodeJS.WritableStream);
  return done;
}

/** Per-unpack state: the root, directory times to restore, and resolved parents. */
interface Ctx {
  root: string;
  dirTimes: Array<{ p: string; mtime: Date }>;
  /** entry parent path → resolved real path; cleared whenever anything is removed. */
  dirs: Map<string, string>;
  fresh: Fresh;
  /**
   * Small files whose creation runs in the background, by path (see `background`). Only
   * when the root was empty at the start: then a path exists only if this unpack made it,
   * and `made` (every path created, never pruned) tells which new files cannot collide.
   */
  concurrent: boolean;
  made: Set<string>;
  pending: Map<string, Promise<void>>;
  failed?: unknown;
}

/**
 * Creating an inode is the costly call (kernel time), so files are created this many at a
 * time, overlapping on the thread pool, while later entries are read.
 */
const MAX_PENDING = 16;

/** Waits for every background write; rethrows the first failure. */
async function barrier(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.pending.values());
  if (ctx.failed) throw ctx.failed;
}

/**
 * Lets `work` (creating and writing a new file at `p`) run while later entries are read.
 * Anything that could touch a pending path (same name again, a removal, a hard link, a
 * parent lookup through it, a directory's mode changing) waits for the barrier first, so
 * entries still take effect in archive order.
 */
async function background(ctx: Ctx, p: string, work: Promise<void>): Promise<void> {
  const done = work
    .catch((err: unknown) => {
      ctx.failed ??= err;
    })
    .finally(() => ctx.pending.delete(p));
  ctx.pending.set(p, done);
  if (ctx.pending.size >= MAX_PENDING) await Promise.race(ctx.pending.values());
  if (ctx.failed) throw ctx.failed;
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

async function freshOf(root: string): Promise<Fresh> {
  const st = await fs.stat(root);
  const sgid = new Set<string>();
  if (st.mode & 0o2000) sgid.add(root);
  return { rootOwned: process.geteuid?.() === 0 && process.getegid?.() === 0, umask: readUmask(), sgid };
}

/** From /proc: process.umask() without an argument sets the umask to 0 for a moment, which races with thread-pool file creation. */
function readUmask(): number | undefined {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? parseInt(m[1]!, 8) : undefined;
  } catch {
    return undefined;
  }
}

/** True when an entry just created in `parent` needs chown to get h's owner. */
function needsChown(fresh: Fresh, parent: string, h: Header): boolean {
  return !fresh.rootOwned || (h.uid ?? 0) !== 0 || (h.gid ?? 0) !== 0 || fresh.sgid.has(parent);
}

/** True when an entry just created with `mode` (a directory if `dir`) in `parent` needs chmod. */
function needsChmod(fresh: Fresh, parent: string, mode: number, opts: { dir: boolean }): boolean {
  if (fresh.umask === undefined || (mode & fresh.umask) !== 0 || (mode & 0o7000) !== 0) return true;
  return opts.dir && fresh.sgid.has(parent);
}

async function unpackEntries(extract: tar.Extract, dest: string): Promise<UnpackResult> {
  // Take the iterator before any await: extract drops entries nobody listens for yet.
  const entries = { [Symbol.asyncIterator]: (it => () => it)(extract[Symbol.asyncIterator]()) };
  const dirTimes: Array<{ p: string; mtime: Date }> = [];
  let size = 0;
  const ctx: Ctx = {
    root: dest,
    dirTimes,
    dirs: new Map(),
    fresh: { rootOwned: false, umask: undefined, sgid: new Set() },
    concurrent: false,
    made: new Set(),
    pending: new Map(),
  };
  try {
    ctx.root = await fs.realpath(dest);
    ctx.fresh = await freshOf(ctx.root);
    ctx.concurrent = (await fs.readdir(ctx.root)).length === 0;
    for await (const entry of entries) {
      const header = entry.header as Header;
      const body = entry as unknown as EntryStream;
      try {
        size += await unpackEntry(ctx, header, body);
      } finally {
        entry.resume(); // skip whatever the handler did not read
      }
    }
    await barrier(ctx);
  } catch (err) {
    extract.destroy();
    await Promise.allSettled(ctx.pending.values()); // no write may outlive the call
    if (err instanceof InvalidArgument || err instanceof Internal) throw err;
    if (errnoCode(err) === undefined) throw new InvalidArgument(`invalid layer tar: ${(err as Error).message}`, { cause: err });
    throw err;
  }
  // Directory times last: creating entries inside a directory changes its mtime.
  await Promise.all(dirTimes.map(({ p, mtime }) => fs.lutimes(p, mtime, mtime)));
  return { size };
}

function refuse(name: string, why: string): never {
  throw new InvalidArgument(`invalid tar entry "${name}": ${why}`);
}

/**
 * Resolves directory components below `root`, following symlinks inside the root as if it
 * were "/". Missing directories are created (mode 0755) when `create`, else NotFound-ish
 * InvalidArgument. Returns the real path.
 */
async function scopedDir(ctx: Ctx, comps: string[], name: string, opts: { create: boolean }): Promise<string> {
  const key = comps.join('/');
  const cached = ctx.dirs.get(key);
  if (cached !== undefined) return cached;
  const resolved = await resolveScoped(ctx, comps, name, opts);
  ctx.dirs.set(key, resolved);
  return resolved;
}

async function resolveScoped(ctx: Ctx, comps: string[], name: string, opts: { create: boolean }): Promise<string> {
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
    if (ctx.pending.has(p)) await barrier(ctx);
    let st;
    try {
      st = await fs.lstat(p);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      if (!opts.create) refuse(name, `${path.join(...stack, c)} does not exist in the layer`);
      await fs.mkdir(p, { mode: 0o755 });
      ctx.made.add(p);
      if (ctx.fresh.sgid.has(path.join(root, ...stack))) ctx.fresh.sgid.add(p); // inherited
      stack.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) refuse(name, 'too many levels of symbolic links');
      const target = await fs.readlink(p);
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
async function clearPath(ctx: Ctx, p: string, opts: { keepDir: boolean }): Promise<boolean> {
  let st;
  try {
    st = await fs.lstat(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  if (st.isDirectory() && opts.keepDir) return true;
  ctx.dirs.clear(); // a cached parent may have gone with it
  await barrier(ctx); // a pending file may live below p
  await fs.rm(p, { recursive: true, force: true });
  return false;
}

async function unpackEntry(ctx: Ctx, h: Header, entry: EntryStream): Promise<number> {
  const { root, dirTimes } = ctx;
  const name = h.name;
  const comps = entryComponents(name);
  const type = h.type ?? 'file';
  if (comps.length === 0) {
    // The layer root itself ("./"): keep its metadata.
    if (type !== 'directory') refuse(name, 'the layer root must be a directory');
    await barrier(ctx); // its set-gid bit may change
    await applyMetadata(root, h, { chown: true, chmod: true, symlink: false });
    noteDirMode(ctx, root, h);
    dirTimes.push({ p: root, mtime: h.mtime ?? new Date(0) });
    return 0;
  }
  const base = comps[comps.length - 1]!;
  const parent = await scopedDir(ctx, comps.slice(0, -1), name, { create: true });

  if (base.startsWith(WHITEOUT_PREFIX)) {
    if (base === WHITEOUT_OPAQUE) {
      await setXattr(parent, 'trusted.overlay.opaque', Buffer.from('y'));
    } else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
      const target = path.join(parent, base.slice(WHITEOUT_PREFIX.length));
      if (ctx.pending.has(target)) await barrier(ctx);
      ctx.made.add(target);
      await clearPath(ctx, target, { keepDir: false });
      await run('mknod', [target, 'c', '0', '0']);
    }
    return 0;
  }

  const p = path.join(parent, base);
  const mode = (h.mode ?? 0o644) & 0o7777;
  if (ctx.pending.has(p) || type === 'link') await barrier(ctx);
  if (type !== 'file' && type !== 'contiguous-file') ctx.made.add(p);
  switch (type) {
    case 'directory': {
      let fresh = true;
      try {
        await fs.mkdir(p, { mode: mode & 0o777 });
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        await barrier(ctx); // its set-gid bit may change under pending files
        fresh = !(await clearPath(ctx, p, { keepDir: true }));
        if (fresh) await fs.mkdir(p, { mode: mode & 0o777 });
      }
      const chown = !fresh || needsChown(ctx.fresh, parent, h);
      const chmod = !fresh || needsChmod(ctx.fresh, parent, mode, { dir: true });
      // No lutimes: every directory's times are set at the end.
      await applyMetadata(p, h, { chown, chmod, symlink: false, times: false });
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
        await fs.symlink(h.linkname ?? '', p);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        await clearPath(ctx, p, { keepDir: false });
        await fs.symlink(h.linkname ?? '', p);
      }
      await applyMetadata(p, h, { chown: needsChown(ctx.fresh, parent, h), chmod: false, symlink: true });
      return 0;
    }
    case 'link': {
      // Checked here so that the error names this entry, not its target.
      if ((h.linkname ?? '').split('/').includes('..')) refuse(name, `hard link target ${h.linkname} escapes the layer`);
      const linkComps = entryComponents(h.linkname ?? '');
      if (linkComps.length === 0) refuse(name, 'hard link to the layer root');
      const tparent = await scopedDir(ctx, linkComps.slice(0, -1), name, { create: false });
      const target = path.join(tparent, linkComps[linkComps.length - 1]!);
      let st;
      try {
        st = await fs.lstat(target);
      } catch {
        refuse(name, `hard link target ${h.linkname} is not in the layer`);
      }
      if (st.isDirectory()) refuse(name, 'hard link to a directory');
      if (target === p) return 0;
      await clearPath(ctx, p, { keepDir: false });
      await fs.link(target, p);
      return 0;
    }
    case 'fifo': {
      await clearPath(ctx, p, { keepDir: false });
      await run('mkfifo', [p]);
      await applyMetadata(p, h, { chown: true, chmod: true, symlink: false });
      return 0;
    }
    case 'character-device':
    case 'block-device': {
      if (type === 'character-device' && (h.devmajor ?? 0) === 0 && (h.devminor ?? 0) === 0) {
        await clearPath(ctx, p, { keepDir: false });
        await run('mknod', [p, 'c', '0', '0']);
        await applyMetadata(p, h, { chown: true, chmod: true, symlink: false });
        return 0;
      }
      refuse(name, 'device nodes are not allowed in layers');
    }
    default:
      refuse(name, `unsupported entry type ${type}`);
  }
}

/** Keeps `sgid` right for a directory whose mode was just set from its header. */
function noteDirMode(ctx: Ctx, p: string, h: Header): void {
  if ((h.mode ?? 0) & 0o2000) ctx.fresh.sgid.add(p);
  else ctx.fresh.sgid.delete(p);
}

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes a regular file entry, never through a symlink: an existing entry is replaced.
 * Small files are gathered, then created and finished with synchronous calls.
 */
async function writeFile(ctx: Ctx, at: { parent: string; p: string }, entry: EntryStream, h: Header): Promise<void> {
  const mode = (h.mode ?? 0o644) & 0o7777;
  const meta = { chown: needsChown(ctx.fresh, at.parent, h), chmod: needsChmod(ctx.fresh, at.parent, mode, { dir: false }) };
  // Created with its final permission bits when chmod is skipped, else private until chmod.
  const createMode = meta.chmod ? 0o600 : mode;
  const isNew = ctx.concurrent && !ctx.made.has(at.p);
  ctx.made.add(at.p);
  if ((h.size ?? 0) > SMALL_FILE) {
    const handle = await openExcl(ctx, at.p, createMode);
    try {
      for await (const c of entry) await handle.write(c);
      finishFd(handle.fd, h, meta);
    } finally {
      await handle.close();
    }
    await setPaxXattrs(at.p, h);
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of entry) chunks.push(c);
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const finish = async (fd: number) => {
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
      finishFd(fd, h, meta);
    } finally {
      closeSync(fd);
    }
    await setPaxXattrs(at.p, h);
  };
  // Nothing can be in the way of a new path: no EEXIST to handle, so it can run behind.
  if (isNew) await background(ctx, at.p, openNew(at.p, createMode).then(finish));
  else await finish(await openFd(ctx, at.p, createMode));
}

function openNew(p: string, mode: number): Promise<number> {
  return new Promise<number>((resolve, reject) => open(p, CREATE_FLAGS, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** `openExcl` for a plain fd: no FileHandle to track for a file that lives a few calls. */
async function openFd(ctx: Ctx, p: string, mode: number): Promise<number> {
  try {
    return await openNew(p, mode);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    await clearPath(ctx, p, { keepDir: false });
    return await openNew(p, mode);
  }
}

/** Creates `p` for writing, never through a symlink: an existing entry is replaced. */
async function openExcl(ctx: Ctx, p: string, mode: number): Promise<FileHandle> {
  try {
    return await fs.open(p, CREATE_FLAGS, mode);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    await clearPath(ctx, p, { keepDir: false });
    return await fs.open(p, CREATE_FLAGS, mode);
  }
}

/** Owner, mode and times of a file still open as `fd` (synchronous: a few cheap syscalls). */
function finishFd(fd: number, h: Header, meta: { chown: boolean; chmod: boolean }): void {
  if (meta.chown) fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
  // chmod after chown: chown clears set-uid/set-gid bits.
  if (meta.chmod) fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
  const mtime = h.mtime ?? new Date(0);
  futimesSync(fd, mtime, mtime);
}

async function applyMetadata(p: string, h: Header, opts: { chown: boolean; chmod: boolean; symlink: boolean; times?: boolean }): Promise<void> {
  if (opts.chown) await fs.lchown(p, h.uid ?? 0, h.gid ?? 0);
  // chmod after chown: chown clears set-uid/set-gid bits.
  if (opts.chmod && !opts.symlink) await fs.chmod(p, (h.mode ?? 0o644) & 0o7777);
  await setPaxXattrs(p, h);
  if (opts.times === false) return;
  const mtime = h.mtime ?? new Date(0);
  await fs.lutimes(p, mtime, mtime);
}

async function setPaxXattrs(p: string, h: Header): Promise<void> {
  if (h.pax) {
    for (const [k, v] of Object.entries(h.pax)) {
      // tar-stream decodes PAX values as UTF-8; a binary value (e.g. security.capability)
      // arrives mangled, and a wrong capability is worse than none, so skip those.
      if (k.startsWith('SCHILY.xattr.') && !v.includes('\uFFFD')) {
        await setXattr(p, k.slice('SCHILY.xattr.'.length), Buffer.from(v, 'utf8'));
      }
    }
  }
}

async function setXattr(p: string, name: string, value: Buffer): Promise<void> {
  // -h: never follow a symlink at the last component.
  await run('setfattr', ['-h', '-n', name, '-v', `0x${value.toString('hex')}`, '--', p]);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new Internal(`${cmd}: ${err.message}`, { cause: err })));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Internal(`${cmd} ${args.join(' ')}: ${stderr.trim()}`))));
  });
}
