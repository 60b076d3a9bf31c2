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

import { spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
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
/** Files up to this size are gathered in memory and written with one call. */
const SMALL_FILE = 64 * 1024;

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
  /** Small files being written in the background, by path; see `background`. */
  pending: Map<string, Promise<void>>;
  failed?: unknown;
}

/** Small files written concurrently: each fs call is a thread-pool round trip. */
const MAX_PENDING = 32;

/** Waits for every background write; rethrows the first failure. */
async function barrier(ctx: Ctx): Promise<void> {
  await Promise.all(ctx.pending.values());
  if (ctx.failed) throw ctx.failed;
}

/**
 * Lets `work` (finishing a file already created at `p`) run while later entries are
 * read. Anything that could touch a pending path (same name again, a removal, a hard
 * link) waits for the barrier first, so entries still take effect in archive order.
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

async function unpackEntries(extract: tar.Extract, dest: string): Promise<UnpackResult> {
  // Take the iterator before any await: extract drops entries nobody listens for yet.
  const entries = { [Symbol.asyncIterator]: (it => () => it)(extract[Symbol.asyncIterator]()) };
  const dirTimes: Array<{ p: string; mtime: Date }> = [];
  let size = 0;
  const ctx: Ctx = { root: dest, dirTimes, dirs: new Map(), pending: new Map() };
  try {
    ctx.root = await fs.realpath(dest);
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
  for (let i = dirTimes.length - 1; i >= 0; i--) {
    const { p, mtime } = dirTimes[i]!;
    await fs.lutimes(p, mtime, mtime);
  }
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
  const resolved = await resolveScoped(ctx.root, comps, name, opts);
  ctx.dirs.set(key, resolved);
  return resolved;
}

async function resolveScoped(root: string, comps: string[], name: string, opts: { create: boolean }): Promise<string> {
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
    let st;
    try {
      st = await fs.lstat(p);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      if (!opts.create) refuse(name, `${path.join(...stack, c)} does not exist in the layer`);
      await fs.mkdir(p, { mode: 0o755 });
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
    await applyMetadata(root, h, { symlink: false });
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
      await clearPath(ctx, target, { keepDir: false });
      await run('mknod', [target, 'c', '0', '0']);
    }
    return 0;
  }

  const p = path.join(parent, base);
  if (ctx.pending.has(p) || type === 'link') await barrier(ctx);
  switch (type) {
    case 'directory': {
      try {
        await fs.mkdir(p, { mode: 0o755 });
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
        if (!(await clearPath(ctx, p, { keepDir: true }))) await fs.mkdir(p, { mode: 0o755 });
      }
      await applyMetadata(p, h, { symlink: false });
      dirTimes.push({ p, mtime: h.mtime ?? new Date(0) });
      return 0;
    }
    case 'file':
    case 'contiguous-file': {
      await writeFile(ctx, p, entry, h);
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
      await applyMetadata(p, h, { symlink: true });
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
      await applyMetadata(p, h, { symlink: false });
      return 0;
    }
    case 'character-device':
    case 'block-device': {
      if (type === 'character-device' && (h.devmajor ?? 0) === 0 && (h.devminor ?? 0) === 0) {
        await clearPath(ctx, p, { keepDir: false });
        await run('mknod', [p, 'c', '0', '0']);
        await applyMetadata(p, h, { symlink: false });
        return 0;
      }
      refuse(name, 'device nodes are not allowed in layers');
    }
    default:
      refuse(name, `unsupported entry type ${type}`);
  }
}

/** Creates `p` for writing, never through a symlink: an existing entry is replaced. */
async function openExcl(ctx: Ctx, p: string): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return await fs.open(p, flags, 0o600);
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    await clearPath(ctx, p, { keepDir: false });
    return await fs.open(p, flags, 0o600);
  }
}

/** Writes the entry; small files finish (data, owner, mode, times) in the background. */
async function writeFile(ctx: Ctx, p: string, entry: EntryStream, h: Header): Promise<void> {
  const handle = await openExcl(ctx, p);
  if ((h.size ?? 0) <= SMALL_FILE) {
    let chunks: Buffer[];
    try {
      chunks = [];
      for await (const c of entry) chunks.push(c);
    } catch (err) {
      await handle.close();
      throw err;
    }
    await background(ctx, p, finishFile(handle, p, h, chunks));
    return;
  }
  await finishFile(handle, p, h, entry);
}

async function finishFile(handle: FileHandle, p: string, h: Header, body: Buffer[] | EntryStream): Promise<void> {
  try {
    if (Array.isArray(body)) {
      if (body.length > 0) await handle.writeFile(body.length === 1 ? body[0]! : Buffer.concat(body));
    } else {
      for await (const c of body) await handle.write(c);
    }
    await handle.chown(h.uid ?? 0, h.gid ?? 0);
    // chmod after chown: chown clears set-uid/set-gid bits.
    await handle.chmod((h.mode ?? 0o644) & 0o7777);
    await setPaxXattrs(p, h);
    const mtime = h.mtime ?? new Date(0);
    await handle.utimes(mtime, mtime);
  } finally {
    await handle.close();
  }
}

async function applyMetadata(p: string, h: Header, opts: { symlink: boolean }): Promise<void> {
  await fs.lchown(p, h.uid ?? 0, h.gid ?? 0);
  // chmod after chown: chown clears set-uid/set-gid bits.
  if (!opts.symlink) await fs.chmod(p, (h.mode ?? 0o644) & 0o7777);
  await setPaxXattrs(p, h);
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
