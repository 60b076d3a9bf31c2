// The archive endpoints behind `docker cp`: stat (HEAD), tar out (GET) and extract (PUT)
// of a path in a container, running or stopped (moby daemon/archive*.go semantics).
// Paths are resolved in the container's scope only (src/archive/scoped-root.ts).
import type { Readable } from 'node:stream';
import { extractTar } from '../archive/extract.js';
import { openMountView, type MountView } from '../archive/mount-view.js';
import { packEntry } from '../archive/pack.js';
import { assertsDirectory, baseName, containerAbsPath, hasMountBelow, lstatPath, pathStatOf, statPath, type PathStat } from '../archive/path-stat.js';
import { PathNotFound, type DirRef } from '../archive/scoped-root.js';
import { Internal, InvalidArgument, NotFound, errnoCode } from '../errdefs/index.js';
import { resolveUser } from '../runtime/index.js';
import type { ContainerRecord } from './container.js';
import { containerMounts, type ContainerFs, type OpenedFs } from './container-fs.js';
import { containerAttributes } from './create.js';
import type { EngineDeps } from './deps.js';

export type { PathStat };

export interface ArchiveOut {
  stat: PathStat;
  stream: Readable;
  /** Call when the response is over (finished or aborted): stops tar, unmounts if needed. */
  done(): Promise<void>;
}

export interface ExtractRequest {
  noOverwriteDirNonDir: boolean;
  /** `docker cp -a`: files belong to the container's configured user (Docker's tarCopyOptions). */
  copyUIDGID: boolean;
}

export class ArchiveService {
  constructor(
    private readonly deps: EngineDeps,
    private readonly fs: ContainerFs,
  ) {}

  private async withFs<T>(rec: ContainerRecord, fn: (cfs: OpenedFs) => Promise<T>): Promise<T> {
    const cfs = await this.fs.open(rec);
    try {
      return await fn(cfs);
    } finally {
      await cfs.close();
    }
  }

  /** HEAD /containers/{id}/archive. */
  async stat(ref: string, p: string): Promise<PathStat> {
    const rec = this.deps.store.get(ref);
    checkPath(p);
    return this.withFs(rec, (cfs) => statPath(cfs.root, containerAbsPath(p)).catch((err: unknown) => { throw pathError(err, p, ref); }));
  }

  /**
   * GET /containers/{id}/archive: the stat and a tar of the path, named as Docker names it.
   * Like Docker, the tar carries the contents of volumes and bind mounts below the path
   * (running or stopped). The path is resolved once, through the mount table (which leads
   * into a mount the path is in); only a directory with a mount point below it (by its
   * resolved or its given path), or a path that only the mounts make, needs the view with
   * the mounts really mounted (mount-view.ts), as GNU tar's walk would otherwise see empty
   * mount points; only then is the path resolved again, in the view.
   */
  async get(ref: string, p: string): Promise<ArchiveOut> {
    const rec = this.deps.store.get(ref);
    checkPath(p);
    const abs = containerAbsPath(p);
    const cfs = await this.fs.open(rec);
    let root = cfs.root;
    let view: MountView | undefined;
    const held: DirRef[] = [];
    const cleanup = async () => {
      for (const d of held) await root.release(d).catch(() => undefined);
      await view?.close();
      await cfs.close();
    };
    try {
      const mounts = containerMounts(this.deps, rec);
      const openView = async () => {
        view = await openMountView({ hostRoot: cfs.paths.merged, mounts, execRoot: this.deps.config.execRoot });
        root = view.root;
        return lstatPath(root, abs);
      };
      let found = await lstatPath(root, abs).catch((err: unknown) => {
        // A mount point's parent that only the mount makes (a container never started has
        // no /mnt for a bind at /mnt/b): the view has it, as Docker's mounted rootfs does.
        if (mounts.length > 0 && (err instanceof PathNotFound || errnoCode(err) === 'ENOENT')) return undefined;
        throw err;
      });
      if (!found) found = await openView();
      else if (found.st.isDirectory() && mounts.length > 0 && (hasMountBelow(found.resolved.path, mounts) || hasMountBelow(containerAbsPath(abs.replace(/\/\.?$/, '') || '/'), mounts))) {
        await root.release(found.resolved.parent);
        found = await openView();
      }
      const { resolved, st } = found;
      held.push(resolved.parent);
      const stat = await pathStatOf(root, abs, st);
      let source;
      if (st.isDirectory()) {
        const dir = resolved.base === null ? resolved.parent : await root.openChild(resolved.parent, resolved.base);
        if (dir !== resolved.parent) held.push(dir);
        source = { dir, member: '.', name: baseName(abs) };
      } else {
        source = { dir: resolved.parent, member: resolved.base!, name: baseName(abs) };
      }
      const tar = packEntry(source);
      this.deps.events.publish('container', 'archive-path', rec.spec.id, containerAttributes(rec));
      return {
        stat,
        stream: tar.stream,
        done: async () => {
          tar.kill();
          await tar.done;
          await cleanup();
        },
      };
    } catch (err) {
      await cleanup();
      throw pathError(err, p, ref);
    }
  }

  /** PUT /containers/{id}/archive: extracts a tar into the directory `p`. */
  async put(ref: string, p: string, body: Readable, req: ExtractRequest): Promise<void> {
    const rec = this.deps.store.get(ref);
    checkPath(p);
    await this.withFs(rec, async (cfs) => {
      // Docker follows the last component too: extracting "to" a symlink to a dir is allowed.
      let dest: DirRef;
      try {
        dest = await cfs.root.resolveDir(p);
      } catch (err) {
        if (errnoCode(err) === 'ENOTDIR') throw new InvalidArgument('extraction point is not a directory');
        throw pathError(err, p, ref);
      }
      try {
        if (dest.mount?.readOnly) throw new InvalidArgument('mounted volume is marked read-only');
        if (!dest.mount && rec.spec.hostConfig.ReadonlyRootfs) throw new InvalidArgument('container rootfs is marked read-only');
        let owner: { uid: number; gid: number } | undefined;
        const user = rec.spec.config.User ?? '';
        if (req.copyUIDGID && user !== '') {
          const u = await resolveUser(cfs.paths.merged, user);
          owner = { uid: u.uid, gid: u.gid };
        }
        await extractTar(body, cfs.root, dest, { noOverwriteDirNonDir: req.noOverwriteDirNonDir, owner });
      } finally {
        await cfs.root.release(dest);
      }
    });
    this.deps.events.publish('container', 'extract-to-dir', rec.spec.id, containerAttributes(rec));
  }
}

function checkPath(p: string): void {
  if (p === '') throw new InvalidArgument('Path cannot be empty');
}

/** Docker's wording for a path that is not there, or not what the path says it is. */
function pathError(err: unknown, p: string, ref: string): unknown {
  if (err instanceof PathNotFound || errnoCode(err) === 'ENOENT') return new NotFound(`Could not find the file ${p} in container ${ref}`, { cause: err });
  if (errnoCode(err) === 'ENOTDIR') {
    const abs = containerAbsPath(p);
    return new Internal(`lstat ${assertsDirectory(abs) ? abs : p}: not a directory`, { cause: err });
  }
  return err;
}
