// A container's file system opened for `cp`, `diff` and `commit`, running or not.
// Running (or paused) containers already have their overlay mounted at rootfs/; a stopped
// one is mounted for the operation and unmounted after the last user is done (counted
// here, so two concurrent copies do not unmount under each other). The lifecycle lock is
// held only around mount/unmount decisions: a start meanwhile finds the overlay mounted
// and uses it, and the last user then leaves it mounted for the running container.
import { ScopedRoot, type MountPoint } from '../archive/scoped-root.js';
import type { KeyedMutex } from '../store/index.js';
import { isActive, type ContainerRecord } from './container.js';
import type { EngineDeps } from './deps.js';
import { mountRootfs, rootfsPaths, unmountRootfs, type RootfsPaths } from './rootfs.js';

export interface OpenedFs {
  root: ScopedRoot;
  paths: RootfsPaths;
  /** Image layer dirs under the upper dir, top first (for diff). */
  lowerDirs: string[];
  close(): Promise<void>;
}

/**
 * The container's mounts as the archive endpoints must see them. Volumes and bind mounts
 * are mounted inside the container's own mount namespace, not on the host-side merged
 * dir, so cp is told where their sources are. tmpfs mounts have no host side and are
 * left out (cp sees the directory under them).
 */
export function containerMounts(deps: Pick<EngineDeps, 'volumes'>, rec: ContainerRecord): MountPoint[] {
  const out: MountPoint[] = [];
  for (const m of rec.spec.mounts ?? []) {
    const hostSource = m.type === 'volume' ? deps.volumes.mountpoint(m.name!) : m.type === 'bind' ? m.source : undefined;
    if (hostSource) out.push({ destination: m.destination, hostSource, readOnly: !m.rw });
  }
  return out;
}

export class ContainerFs {
  private readonly users = new Map<string, number>();

  constructor(
    private readonly deps: EngineDeps,
    private readonly locks: KeyedMutex,
  ) {}

  async open(rec: ContainerRecord): Promise<OpenedFs> {
    const id = rec.spec.id;
    const paths = rootfsPaths(this.deps.store.containerDir(id));
    const lowerDirs = (await this.deps.images.unpackedRootfs(rec.spec.imageId)).lowerDirs;
    await this.locks.run(id, async () => {
      if (!isActive(rec.state)) await mountRootfs(lowerDirs, paths);
      this.users.set(id, (this.users.get(id) ?? 0) + 1);
    });
    let root: ScopedRoot;
    try {
      root = await ScopedRoot.open(paths.merged, { mounts: containerMounts(this.deps, rec) });
    } catch (err) {
      await this.release(rec, paths);
      throw err;
    }
    let closed = false;
    return {
      root,
      paths,
      lowerDirs,
      close: async () => {
        if (closed) return;
        closed = true;
        await root.close().catch(() => undefined);
        await this.release(rec, paths);
      },
    };
  }

  private async release(rec: ContainerRecord, paths: RootfsPaths): Promise<void> {
    const id = rec.spec.id;
    await this.locks.run(id, async () => {
      const n = (this.users.get(id) ?? 1) - 1;
      if (n > 0) {
        this.users.set(id, n);
        return;
      }
      this.users.delete(id);
      const current = this.deps.store.find(id);
      if (current && !isActive(current.state)) await unmountRootfs(paths).catch(() => undefined);
    });
  }
}
