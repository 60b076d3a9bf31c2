// A directory tree seen as if it were "/" (a container's root file system), walked so that
// nothing can lead outside it: the CVE-2018-15664 class, where a container swaps a path
// component for a symlink to the host's "/" while the daemon works on it.
//
// How: every directory on the way is opened (O_DIRECTORY|O_NOFOLLOW) and the next
// component is looked up *in that open directory* through /proc/self/fd/<fd>/<name>, which
// the kernel resolves to the directory object itself, not to a path that could have
// changed. Symlinks are read and interpreted by us, relative to the root ("/" = the root,
// ".." stops at it), as chroot would; the kernel never follows one. A component swapped
// between our lstat and our open makes the open fail (ELOOP/ENOTDIR), never escape.
//
// Mount points (volumes, bind mounts) are not visible in the host-side merged dir of a
// running container, so the walk consults a mount table: see `mountAt`.
import { constants, promises as fs, type BigIntStats, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument, errnoCode } from '../errdefs/index.js';

const MAX_SYMLINKS = 40;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** A volume or bind mount inside the container: `destination` (container path) shows `hostSource`. */
export interface MountPoint {
  destination: string;
  hostSource: string;
  readOnly?: boolean;
}

/** An open directory inside the root and its path as the container sees it (no symlinks). */
export interface DirRef {
  fh: FileHandle;
  /** Container path, absolute and clean: "/", "/etc". */
  path: string;
  /** Set on the directory a mount point shows, and on everything resolved below it. */
  mount?: MountPoint;
}

/** Thrown when a path does not exist; `path` is the container path the user named. */
export class PathNotFound extends Error {
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(`no such file or directory: ${path}`, options);
    this.name = 'PathNotFound';
  }
}

/** The host path that reaches `name` inside the open directory `dir`. */
export function at(dir: DirRef, name?: string): string {
  return name === undefined ? `/proc/self/fd/${dir.fh.fd}` : `/proc/self/fd/${dir.fh.fd}/${name}`;
}

/** Splits a path into components; "" and "." vanish, ".." stays (the walk interprets it). */
export function components(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** The result of a walk: the directory holding the last component, and that component. */
export interface Resolved {
  parent: DirRef;
  /** Last component, unresolved; null when the path is the directory `parent` itself. */
  base: string | null;
  /** Container path of the result (parent.path joined with base). */
  path: string;
}

export class ScopedRoot {
  private constructor(
    readonly root: DirRef,
    private readonly mounts: MountPoint[],
  ) {}

  /** Opens `hostRoot` as "/" of the tree. Close the result when done. */
  static async open(hostRoot: string, opts: { mounts?: MountPoint[] } = {}): Promise<ScopedRoot> {
    const fh = await fs.open(hostRoot, DIR_FLAGS);
    const mounts = (opts.mounts ?? []).map((m) => ({ ...m, destination: path.posix.resolve('/', m.destination) }));
    return new ScopedRoot({ fh, path: '/' }, mounts);
  }

  async close(): Promise<void> {
    await this.root.fh.close();
  }

  /**
   * The mount shown at container path `p`, if any. This is the one place the mount table
   * is consulted: volumes and bind mounts are found here, so a walk crosses into them as
   * the container would (and their own symlinks still resolve inside the container's "/").
   */
  mountAt(p: string): MountPoint | undefined {
    return this.mounts.find((m) => m.destination === p);
  }

  /**
   * Walks `p` (a container path; relative = from "/") and returns the directory holding
   * its last component. Symlinks on the way are followed inside the root; the last
   * component is followed too when `followLast`. With `create`, missing directories on
   * the way are made (mode 0755, as Docker's untar does). Directories the caller gets
   * back must be released with `release`.
   */
  async resolve(p: string, opts: { followLast: boolean; create?: boolean }): Promise<Resolved> {
    return this.walk(components(p), opts);
  }

  /** Resolves `p` to a directory (following every symlink); ENOTDIR if it is something else. */
  async resolveDir(p: string, opts: { create?: boolean } = {}): Promise<DirRef> {
    const r = await this.walk(components(p), { followLast: true, create: opts.create });
    if (r.base === null) return r.parent;
    try {
      try {
        return await this.openChild(r.parent, r.base);
      } catch (err) {
        if (!opts.create || errnoCode(err) !== 'ENOENT') throw err;
        await fs.mkdir(at(r.parent, r.base), { mode: 0o755 }).catch((e: unknown) => {
          if (errnoCode(e) !== 'EEXIST') throw e;
        });
        return await this.openChild(r.parent, r.base);
      }
    } finally {
      await this.release(r.parent);
    }
  }

  /** rm -rf of `name` in `dir`, every level pinned by an fd: a swapped-in symlink is unlinked, never followed. */
  async removeAll(dir: DirRef, name: string): Promise<void> {
    let st: Stats;
    try {
      st = await fs.lstat(at(dir, name));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    if (!st.isDirectory()) {
      await fs.unlink(at(dir, name));
      return;
    }
    const child: DirRef = { fh: await fs.open(at(dir, name), DIR_FLAGS), path: path.posix.join(dir.path, name) };
    try {
      for (const n of await fs.readdir(at(child))) await this.removeAll(child, n);
    } finally {
      await child.fh.close();
    }
    await fs.rmdir(at(dir, name));
  }

  /** Closes a directory returned by a walk (the root stays open). */
  async release(d: DirRef): Promise<void> {
    if (d !== this.root) await d.fh.close();
  }

  /** lstat of the resolved entry (fstat of the directory when base is null). */
  async lstat(r: Resolved): Promise<Stats>;
  async lstat(r: Resolved, opts: { bigint: true }): Promise<BigIntStats>;
  async lstat(r: Resolved, opts?: { bigint: true }): Promise<Stats | BigIntStats> {
    const big = { bigint: !!opts?.bigint } as const;
    if (r.base === null) return r.parent.fh.stat(big);
    const mount = this.mountAt(r.path);
    return mount ? fs.stat(mount.hostSource, big) : fs.lstat(at(r.parent, r.base), big);
  }

  /** Opens the directory `name` inside `dir` without following a symlink there. */
  async openChild(dir: DirRef, name: string): Promise<DirRef> {
    const childPath = path.posix.join(dir.path, name);
    const mount = this.mountAt(childPath);
    if (mount) return { fh: await fs.open(mount.hostSource, constants.O_RDONLY | constants.O_DIRECTORY), path: childPath, mount };
    return { fh: await fs.open(at(dir, name), DIR_FLAGS), path: childPath, mount: dir.mount };
  }

  private async walk(comps: string[], opts: { followLast: boolean; create?: boolean }): Promise<Resolved> {
    const stack: DirRef[] = [this.root];
    const queue = [...comps];
    let links = 0;
    const top = () => stack[stack.length - 1]!;
    try {
      while (queue.length > 0) {
        const c = queue.shift()!;
        if (c === '..') {
          if (stack.length > 1) await this.release(stack.pop()!);
          continue;
        }
        const last = queue.length === 0;
        const cur = top();
        const childPath = path.posix.join(cur.path, c);
        if (this.mountAt(childPath)) {
          if (last) return this.done(stack, c);
          stack.push(await this.openChild(cur, c));
          continue;
        }
        let st: Stats;
        try {
          st = await fs.lstat(at(cur, c));
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
          if (last) return this.done(stack, c);
          if (!opts.create) throw new PathNotFound(childPath, { cause: err });
          await fs.mkdir(at(cur, c), { mode: 0o755 }).catch((e: unknown) => {
            if (errnoCode(e) !== 'EEXIST') throw e;
          });
          stack.push(await this.openChild(cur, c));
          continue;
        }
        if (st.isSymbolicLink() && (!last || opts.followLast)) {
          if (++links > MAX_SYMLINKS) throw new InvalidArgument(`too many levels of symbolic links: ${childPath}`);
          const target = await fs.readlink(at(cur, c));
          if (target.startsWith('/')) while (stack.length > 1) await this.release(stack.pop()!);
          queue.unshift(...components(target));
          continue;
        }
        if (last) return this.done(stack, c);
        if (!st.isDirectory()) throw Object.assign(new Error(`not a directory: ${childPath}`), { code: 'ENOTDIR', path: childPath });
        stack.push(await this.openChild(cur, c));
      }
      return this.done(stack, null);
    } catch (err) {
      for (const d of stack) await this.release(d);
      throw err;
    }
  }

  /** Keeps the top of the stack for the caller and closes the rest. */
  private async done(stack: DirRef[], base: string | null): Promise<Resolved> {
    const parent = stack.pop()!;
    for (const d of stack) await this.release(d);
    return { parent, base, path: base === null ? parent.path : path.posix.join(parent.path, base) };
  }
}
