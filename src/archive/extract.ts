// Extraction of an untrusted tar into a live tree (PUT /containers/{id}/archive): Docker's
// archive.Untar semantics, made safe without a chroot. Every parent directory is resolved
// through ScopedRoot (symlinks interpreted inside the container, each level pinned by an
// fd) and every entry is created *in* that open directory: files with
// O_CREAT|O_EXCL|O_NOFOLLOW, metadata through the file's own fd or l*-calls that never
// follow the last component. An existing entry in the way is removed first (fd-pinned
// rm -rf), so a symlink the container planted is replaced, not written through.
import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, open, openSync, promises as fs, write as fsWrite, writevSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { InvalidArgument, Internal, errnoCode, isKind } from '../errdefs/index.js';
import { at, type DirRef, type ScopedRoot } from './scoped-root.js';
import { entryComponents, paxXattrs, type TarHeader } from './tar-names.js';

export interface ExtractOptions {
  /** Docker's noOverwriteDirNonDir: refuse to replace a directory with a non-directory and vice versa. */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry (`cp -a` into a container with a User); else each entry's own uid/gid. */
  owner?: { uid: number; gid: number };
}

/** Small files are written (or, in a directory this extraction made, created too) in the background, this many at a time. */
const MAX_PENDING = 32;
const SMALL_FILE = 256 * 1024;
const DIR_CACHE = 256;

type Entry = AsyncIterable<Buffer> & { resume(): unknown };

class Extraction {
  private readonly dirs = new Map<string, DirRef>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly dirTimes: Array<{ path: string; mtime: Date }> = [];
  /**
   * Directories this extraction created (mkdir did not find one): nothing of the tar's can
   * be in them yet, so their small files are created in the background, several at a time
   * (each creation is a thread-pool round trip of a few hundred µs). Something else creating
   * the same name meanwhile (a running container) fails the copy instead of being replaced.
   */
  private readonly fresh = new Set<string>();
  /** Files created in fresh directories: the tar naming one again takes the careful path. */
  private readonly made = new Set<string>();
  private failed: unknown;

  constructor(
    private readonly root: ScopedRoot,
    private readonly dest: DirRef,
    private readonly opts: ExtractOptions,
  ) {}

  private containerPath(comps: string[]): string {
    return path.posix.join(this.dest.path, ...comps);
  }

  private async dirFor(comps: string[]): Promise<DirRef> {
    if (comps.length === 0) return this.dest;
    const key = comps.join('/');
    const hit = this.dirs.get(key);
    if (hit) return hit;
    if (this.dirs.size >= DIR_CACHE) {
      await this.barrier(); // background jobs create files through the cached dirs' fds
      await this.dropDirs();
    }
    const ref = await this.root.resolveDir(this.containerPath(comps), { create: true });
    this.dirs.set(key, ref);
    return ref;
  }

  async dropDirs(): Promise<void> {
    const refs = [...this.dirs.values()];
    this.dirs.clear();
    for (const r of refs) await this.root.release(r);
  }

  async barrier(): Promise<void> {
    await Promise.all(this.pending.values());
    if (this.failed) throw this.failed;
  }

  private async background(key: string, work: Promise<void>): Promise<void> {
    const done = work.catch((err: unknown) => void (this.failed ??= err)).finally(() => this.pending.delete(key));
    this.pending.set(key, done);
    if (this.pending.size >= MAX_PENDING) await Promise.race(this.pending.values());
    if (this.failed) throw this.failed;
  }

  private owner(h: TarHeader): { uid: number; gid: number } {
    return this.opts.owner ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 };
  }

  async entry(h: TarHeader, body: Entry): Promise<void> {
    let comps: string[];
    try {
      comps = entryComponents(h.name);
    } catch {
      throw new InvalidArgument(`Error processing tar file: "${h.name}" is outside of "${this.dest.path}"`);
    }
    const type = h.type ?? 'file';
    if (comps.length === 0) {
      if (type === 'directory') return; // "./": the destination itself stays as it is (Docker)
      throw new InvalidArgument(`Error processing tar file: cannot extract a non-directory as "${this.dest.path}"`);
    }
    const key = comps.join('/');
    if (this.pending.has(key) || type === 'link') await this.barrier();
    const base = comps[comps.length - 1]!;
    // Create first and look at what was there only when something was (EEXIST): one
    // syscall less per entry in the common case of a fresh tree.
    let dir = await this.dirFor(comps.slice(0, -1));
    const isDir = type === 'directory';
    let keptDir = false;
    const clear = async () => {
      keptDir = await this.clearExisting(dir, base, comps, isDir);
      dir = await this.dirFor(comps.slice(0, -1)); // removal may have dropped the cached parent
    };
    const own = this.owner(h);
    const mtime = h.mtime ?? new Date(0);
    switch (type) {
      case 'directory': {
        try {
          await fs.mkdir(at(dir, base), { mode: 0o700 });
          this.fresh.add(key);
        } catch (err) {
          if (errnoCode(err) !== 'EEXIST') throw err;
          await clear();
          if (!keptDir) await fs.mkdir(at(dir, base), { mode: 0o700 });
        }
        // Opening a directory that exists and fchown/fchmod are a few µs: synchronous.
        const fd = openSync(at(dir, base), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        try {
          fchownSync(fd, own.uid, own.gid);
          fchmodSync(fd, (h.mode ?? 0o755) & 0o7777);
          await setXattrs(fd, h);
        } finally {
          closeSync(fd);
        }
        this.dirTimes.push({ path: this.containerPath(comps), mtime });
        return;
      }
      case 'file':
      case 'contiguous-file': {
        const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
        const mode = (h.mode ?? 0o644) & 0o777;
        if ((h.size ?? 0) <= SMALL_FILE) {
          const chunks: Buffer[] = [];
          for await (const c of body) chunks.push(c);
          if (this.fresh.has(comps.slice(0, -1).join('/')) && !this.made.has(key)) {
            this.made.add(key);
            // The parent dir stays open while the job runs: the cache is only dropped after a barrier.
            const parent = dir;
            await this.background(key, openFd(at(parent, base), flags, mode).then((fd) => writeSmallFile(fd, h, own, chunks)));
            return;
          }
          const fd = await retryOnExists(() => openFd(at(dir, base), flags, mode), clear);
          await this.background(key, writeSmallFile(fd, h, own, chunks));
        } else {
          const fd = await retryOnExists(() => openFd(at(dir, base), flags, mode), clear);
          await writeLargeFile(fd, h, own, body);
        }
        return;
      }
      case 'symlink':
        await retryOnExists(() => fs.symlink(h.linkname ?? '', at(dir, base)), clear);
        await fs.lchown(at(dir, base), own.uid, own.gid);
        await fs.lutimes(at(dir, base), mtime, mtime);
        return;
      case 'link': {
        let target: string[];
        try {
          target = entryComponents(h.linkname ?? '');
        } catch {
          throw new InvalidArgument(`Error processing tar file: invalid hardlink "${h.linkname}" -> "${h.name}"`);
        }
        const t = await this.root.resolve(this.containerPath(target), { followLast: false });
        try {
          if (t.base === null || (await fs.lstat(at(t.parent, t.base))).isDirectory()) {
            throw new InvalidArgument(`Error processing tar file: hard link to a directory: "${h.name}"`);
          }
          await retryOnExists(() => fs.link(at(t.parent!, t.base!), at(dir, base)), clear);
        } finally {
          await this.root.release(t.parent);
        }
        return;
      }
      case 'fifo':
      case 'character-device':
      case 'block-device': {
        const args = type === 'fifo' ? ['p'] : [type === 'character-device' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
        await this.clearExisting(dir, base, comps, false);
        dir = await this.dirFor(comps.slice(0, -1));
        await runWithFd('mknod', ['-m', ((h.mode ?? 0o644) & 0o777).toString(8), `/proc/self/fd/3/${base}`, ...args], dir.fh.fd);
        await fs.lchown(at(dir, base), own.uid, own.gid);
        await fs.lutimes(at(dir, base), mtime, mtime);
        return;
      }
      default:
        return; // Docker skips entry types it does not know (e.g. GNU tar's volume labels)
    }
  }

  /**
   * Something is at `base` already: refuse (noOverwriteDirNonDir), keep it (a directory
   * for a directory entry: returns true) or remove it, fd-pinned (Docker's RemoveAll).
   */
  private async clearExisting(dir: DirRef, base: string, comps: string[], isDir: boolean): Promise<boolean> {
    let existing: Stats;
    try {
      existing = await fs.lstat(at(dir, base));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw err;
    }
    if (this.opts.noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
      const cp = this.containerPath(comps);
      throw new InvalidArgument(
        existing.isDirectory()
          ? `Error processing tar file: cannot overwrite directory "${cp}" with non-directory "${this.dest.path}"`
          : `Error processing tar file: cannot overwrite non-directory "${cp}" with directory "${this.dest.path}"`,
      );
    }
    if (existing.isDirectory() && isDir) return true;
    await this.barrier(); // a pending file may live below it
    await this.root.removeAll(dir, base);
    await this.dropDirs(); // cached directories may have gone with it
    return false;
  }

  /** Directory times last (creating entries changes them), deepest first. */
  async finish(): Promise<void> {
    await this.barrier();
    await this.dropDirs();
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const { path: p, mtime } = this.dirTimes[i]!;
      const r = await this.root.resolve(p, { followLast: false });
      try {
        if (r.base !== null) await fs.lutimes(at(r.parent, r.base), mtime, mtime);
      } finally {
        await this.root.release(r.parent);
      }
    }
  }
}

async function retryOnExists<T>(op: () => Promise<T>, clear: () => Promise<void>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    await clear();
    return await op();
  }
}

/** open(2) on the thread pool, as a plain fd (a FileHandle per file costs the GC). */
function openFd(p: string, flags: number, mode: number): Promise<number> {
  return new Promise((resolve, reject) => open(p, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
}

/**
 * Data, owner, mode, xattrs and times of a small new file, then close: each call is a few
 * µs, less than a thread-pool round trip costs the main thread (creating the file is the
 * costly call, and it stays async). Closes `fd` whatever happens.
 */
async function writeSmallFile(fd: number, h: TarHeader, own: { uid: number; gid: number }, chunks: Buffer[]): Promise<void> {
  try {
    let left = chunks.reduce((n, c) => n + c.length, 0);
    for (let bufs = chunks; left > 0; ) {
      const n = writevSync(fd, bufs);
      left -= n;
      if (left > 0) bufs = remainder(bufs, n);
    }
    setOwnerAndMode(fd, h, own);
    await setXattrs(fd, h);
    const mtime = h.mtime ?? new Date(0);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

/** What is left of `bufs` after the first `n` bytes. */
function remainder(bufs: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (n >= bufs[i]!.length) n -= bufs[i++]!.length;
  return [bufs[i]!.subarray(n), ...bufs.slice(i + 1)];
}

/**
 * Created by root with the entry's permission bits less the umask: chown and chmod only
 * when they change something (chmod after chown: chown clears set-id bits). A set-gid
 * directory gives a new file its own group, so the group is checked, not assumed.
 */
function setOwnerAndMode(fd: number, h: TarHeader, own: { uid: number; gid: number }): void {
  const mode = (h.mode ?? 0o644) & 0o7777;
  const st = fstatSync(fd);
  const chowned = st.uid !== own.uid || st.gid !== own.gid;
  if (chowned) fchownSync(fd, own.uid, own.gid);
  if (chowned || mode !== (st.mode & 0o7777)) fchmodSync(fd, mode);
}

/** A big file: its body streamed in (writes on the thread pool), then as writeSmallFile. */
async function writeLargeFile(fd: number, h: TarHeader, own: { uid: number; gid: number }, body: Entry): Promise<void> {
  try {
    for await (const c of body) {
      for (let off = 0; off < c.length; ) off += await writeFd(fd, c, off);
    }
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  await writeSmallFile(fd, h, own, []);
}

function writeFd(fd: number, buf: Buffer, off: number): Promise<number> {
  return new Promise((resolve, reject) => fsWrite(fd, buf, off, buf.length - off, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/** xattrs from PAX records, set through the open fd (handed to setfattr as its fd 3). */
async function setXattrs(fd: number, h: TarHeader): Promise<void> {
  for (const [name, value] of paxXattrs(h)) {
    await runWithFd('setfattr', ['-n', name, '-v', `0x${value.toString('hex')}`, '/proc/self/fd/3'], fd);
  }
}

function runWithFd(cmd: string, args: string[], fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new Internal(`${cmd}: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Internal(`${cmd}: ${stderr.trim()}`))));
  });
}

/** Extracts `src` into `dest` (a directory of `root`). Rejects on the first bad entry. */
export async function extractTar(src: Readable, root: ScopedRoot, dest: DirRef, opts: ExtractOptions): Promise<void> {
  const extract = tar.extract();
  const entries = extract[Symbol.asyncIterator]();
  src.on('error', (err) => extract.destroy(err));
  src.pipe(extract as unknown as NodeJS.WritableStream);
  const x = new Extraction(root, dest, opts);
  try {
    for (let r = await entries.next(); !r.done; r = await entries.next()) {
      const entry = r.value;
      try {
        await x.entry(entry.header as TarHeader, entry as unknown as Entry);
      } finally {
        entry.resume();
      }
    }
    await x.finish();
  } catch (err) {
    extract.destroy();
    src.unpipe?.(extract as unknown as NodeJS.WritableStream);
    src.resume();
    await Promise.allSettled([x.barrier()]);
    await x.dropDirs().catch(() => undefined);
    if (isKind(err, 'invalid-argument') || err instanceof Internal) throw err;
    if (errnoCode(err) === undefined) throw new InvalidArgument(`Error processing tar file: ${(err as Error).message}`, { cause: err });
    throw new Internal(`Error processing tar file: ${(err as Error).message}`, { cause: err });
  }
}
