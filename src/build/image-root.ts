// An image's file system, read-only, for the steps that look into it without running a
// container: COPY's destination checks, `--chown` name lookups (/etc/passwd, /etc/group),
// `COPY --from`. The image's layers are mounted as a read-only overlay (no upper dir) at a
// temp dir; an empty dir is always the bottom layer, since overlay wants two lower dirs
// when there is no upper one. Paths inside are resolved as if the root were "/", so a
// symlink in the image never leads out of it.
import { execFile } from 'node:child_process';
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PathNotFound, ScopedRoot } from '../archive/scoped-root.js';
import { Internal, errnoCode } from '../errdefs/index.js';

const run = promisify(execFile);

export interface ImageRoot {
  /** Host path of the mounted root. */
  readonly dir: string;
  /**
   * Host path of `p` (absolute in the image), symlinks followed inside the root; the last
   * component too unless `noFollow`. Undefined when a directory on the way is missing.
   */
  resolve(p: string, o?: { noFollow?: boolean }): Promise<string | undefined>;
  /** stat (`follow`) or lstat of `p` inside the root; undefined if it does not exist. */
  stat(p: string, o?: { follow?: boolean }): Promise<Stats | undefined>;
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
  const resolver = await rootResolver(dir);
  return {
    dir,
    resolve: resolver.resolve,
    stat: (p, o = {}) => statThrough(resolver, p, o),
    close: async () => {
      await resolver.close();
      if (mounted) await run('umount', [dir]).catch(() => run('umount', ['-l', dir]));
      mounted = false;
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

/**
 * Host path of `p` inside `root` with chroot semantics: ".." stops at the root, absolute
 * links restart there. The walk is archive's ScopedRoot (the one `docker cp` uses), so the
 * builder and cp agree on what a path inside a tree means. Undefined when a directory on
 * the way is missing or is not a directory (the path cannot exist).
 */
export async function resolveInRoot(root: string, p: string, o: { noFollow?: boolean } = {}): Promise<string | undefined> {
  const resolver = await rootResolver(root);
  try {
    return await resolver.resolve(p, o);
  } finally {
    await resolver.close();
  }
}

export interface RootResolver {
  resolve(p: string, o?: { noFollow?: boolean }): Promise<string | undefined>;
  close(): Promise<void>;
}

/** resolveInRoot for many paths: one ScopedRoot (one open root fd) for all of them. */
export async function rootResolver(root: string): Promise<RootResolver> {
  const scoped = await ScopedRoot.open(root);
  return {
    resolve: async (p, o = {}) => {
      try {
        const r = await scoped.resolve(p, { followLast: !o.noFollow });
        await scoped.release(r.parent);
        return path.join(root, r.path);
      } catch (err) {
        if (err instanceof PathNotFound || errnoCode(err) === 'ENOTDIR') return undefined;
        throw err;
      }
    },
    close: () => scoped.close(),
  };
}

/** stat (`follow`) or lstat of `p` inside `root`; undefined if it does not exist. */
export async function statInRoot(root: string, p: string, o: { follow?: boolean } = {}): Promise<Stats | undefined> {
  const resolver = await rootResolver(root);
  try {
    return await statThrough(resolver, p, o);
  } finally {
    await resolver.close();
  }
}

async function statThrough(resolver: RootResolver, p: string, o: { follow?: boolean }): Promise<Stats | undefined> {
  const host = await resolver.resolve(p, { noFollow: !o.follow });
  return host === undefined ? undefined : statOrUndefined(host);
}

/** lstat that answers undefined for a missing path. */
export async function statOrUndefined(p: string, o: { follow?: boolean } = {}): Promise<Stats | undefined> {
  try {
    return await (o.follow ? fs.stat(p) : fs.lstat(p));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

