// A container's mounts over its life: resolved at create (volumes created, `-v` host
// directories made, `--volumes-from` copied), acquired at each start (volume file systems
// mounted, empty volumes populated from the image, OCI mounts built), released at exit,
// and anonymous volumes removed with the container when asked (`rm -v`, `run --rm`).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import type { ContainerConfig, HostConfig } from '../contract/index.js';
import { Conflict, InvalidArgument, Internal, NotFound, isKind } from '../errdefs/index.js';
import { resolveInRoot } from '../runtime/rootfs_path.js';
import type { SpecMount } from '../runtime/index.js';
import { ANONYMOUS_LABEL, validateVolumeName, type VolumeService } from '../volume/index.js';
import type { ContainerRecord } from './container.js';
import type { EventBus } from './events.js';
import { byDepth, parseBind, parseMountEntry, parseVolumesFrom, tmpfsOptions, type MountEntry, type MountPointRecord } from './mount-spec.js';

const run = promisify(execFile);

export interface MountContext {
  volumes: VolumeService;
  events: EventBus;
  findContainer(ref: string): ContainerRecord | undefined;
  listContainers(): ContainerRecord[];
}

/** Every container whose mounts name volume `name` (running or not: Docker's "in use"). */
export function volumeUsers(ctx: Pick<MountContext, 'listContainers'>, name: string): ContainerRecord[] {
  return ctx.listContainers().filter((c) => (c.spec.mounts ?? []).some((m) => m.type === 'volume' && m.name === name));
}

/**
 * At create: the mount points `hc` and the image's VOLUME paths ask for. Everything is
 * checked before anything is made, so a refused create leaves no volume behind.
 */
export async function resolveMounts(ctx: MountContext, hc: HostConfig, config: ContainerConfig): Promise<MountPointRecord[]> {
  const byDest = new Map<string, MountPointRecord>();
  for (const entry of (hc.VolumesFrom as string[] | null | undefined) ?? []) {
    const { container, mode } = parseVolumesFrom(entry);
    const donor = ctx.findContainer(container);
    if (!donor) throw new NotFound(`No such container: ${container}`);
    for (const m of donor.spec.mounts ?? []) {
      byDest.set(m.destination, { ...m, mode: '', rw: m.rw && mode !== 'ro', copyData: false });
    }
  }
  const own = new Set<string>();
  const take = (m: MountPointRecord) => {
    if (own.has(m.destination)) throw new InvalidArgument(`Duplicate mount point: ${m.destination}`);
    own.add(m.destination);
    byDest.set(m.destination, m);
  };
  const binds = ((hc.Binds as string[] | null | undefined) ?? []).map(parseBind);
  for (const m of binds) take(m);
  const entries = ((hc.Mounts as MountEntry[] | null | undefined) ?? []).map(parseMountEntry);
  for (const m of entries) take(m);
  const tmpfs = Object.keys((hc.Tmpfs as Record<string, string> | null | undefined) ?? {});
  for (const dest of Object.keys(config.Volumes ?? {})) {
    if (byDest.has(dest) || tmpfs.includes(dest)) continue;
    byDest.set(dest, { type: 'volume', destination: dest, mode: '', rw: true, propagation: '', copyData: true, anonymous: true });
  }
  const mounts = [...byDest.values()];

  for (const m of entries) {
    if (m.type === 'bind' && !(await exists(m.source!))) {
      throw new InvalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    }
  }
  for (const m of mounts) {
    if (m.type === 'volume' && m.name && !ctx.volumes.find(m.name)) {
      try {
        validateVolumeName(m.name);
      } catch (err) {
        throw new InvalidArgument(`create ${m.name}: ${(err as Error).message}`);
      }
    }
  }
  // Docker creates a missing host directory for `-v` (not for `--mount`).
  for (const m of binds) if (m.type === 'bind') await fs.mkdir(m.source!, { recursive: true, mode: 0o755 });
  for (const m of mounts) {
    if (m.type !== 'volume' || (m.name && ctx.volumes.find(m.name))) continue;
    const labels = { ...(m.volumeOptions?.labels ?? {}), ...(m.name ? {} : { [ANONYMOUS_LABEL]: '' }) };
    const { volume, created } = await ctx.volumes.create({ name: m.name, labels, options: m.volumeOptions?.driverOptions ?? {} });
    m.name = volume.name;
    delete m.volumeOptions;
    if (created) ctx.events.publish('volume', 'create', volume.name, { driver: volume.driver });
  }
  return mounts;
}

/**
 * At start (rootfs mounted): acquires the volumes, populates empty ones, and returns the
 * OCI mounts, parents first. On failure, what was acquired is released.
 */
export async function acquireMounts(ctx: MountContext, rec: ContainerRecord, rootfs: string): Promise<SpecMount[]> {
  const out: SpecMount[] = [];
  try {
    for (const m of byDepth(rec.spec.mounts ?? [])) {
      if (m.type === 'tmpfs') {
        out.push({ destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(m) });
        continue;
      }
      let source = m.source!;
      if (m.type === 'volume') {
        source = await ctx.volumes.acquire(m.name!, rec.spec.id);
        if (m.copyData) await populate(rootfs, m.destination, source);
        ctx.events.publish('volume', 'mount', m.name!, {
          container: rec.spec.id, destination: m.destination, driver: 'local', propagation: m.propagation, 'read/write': String(m.rw),
        });
      } else if (!(await exists(source))) {
        throw new InvalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
      }
      out.push({ destination: m.destination, type: 'bind', source, options: ['rbind', m.rw ? 'rw' : 'ro', m.propagation || 'rprivate'] });
    }
  } catch (err) {
    await releaseMounts(ctx, rec);
    throw err;
  }
  return out;
}

/** At exit (or a failed start): lets go of the container's volumes; safe to repeat. */
export async function releaseMounts(ctx: MountContext, rec: ContainerRecord): Promise<void> {
  for (const m of rec.spec.mounts ?? []) {
    if (m.type !== 'volume' || !ctx.volumes.find(m.name!)) continue;
    await ctx.volumes.release(m.name!, rec.spec.id).catch(() => undefined);
  }
}

/** After the container's record is gone: its anonymous volumes no other container uses. */
export async function removeAnonymousVolumes(ctx: MountContext, rec: ContainerRecord): Promise<void> {
  for (const m of rec.spec.mounts ?? []) {
    if (m.type !== 'volume' || !m.anonymous || !ctx.volumes.find(m.name!)) continue;
    if (volumeUsers(ctx, m.name!).some((c) => c.spec.id !== rec.spec.id)) continue;
    await ctx.volumes.remove(m.name!).then(
      () => ctx.events.publish('volume', 'destroy', m.name!, { driver: 'local' }),
      (err: unknown) => { if (!isKind(err, 'not-found')) throw err; },
    );
  }
}

/**
 * Docker copies what the image has at a volume's path into the volume when the volume is
 * empty, then gives the volume's root the owner and mode of the image's directory. The path
 * is resolved inside the rootfs, so an image's symlink cannot point the copy at host files.
 */
async function populate(rootfs: string, destination: string, volumePath: string): Promise<void> {
  const src = await resolveInRoot(rootfs, destination);
  const st = await fs.stat(src).catch(() => undefined);
  if (!st?.isDirectory()) return;
  if ((await fs.readdir(volumePath)).length > 0) return;
  try {
    await run('cp', ['-a', '--', `${src}/.`, volumePath]);
  } catch (err) {
    throw new Internal(`copying image content into volume: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
  await fs.chown(volumePath, st.uid, st.gid);
  await fs.chmod(volumePath, st.mode & 0o7777);
}

/** Docker's MountPoint view (inspect `Mounts`, the `ps` summary). */
export function mountViews(rec: ContainerRecord, mountpoint: (name: string) => string) {
  return (rec.spec.mounts ?? []).map((m) => {
    if (m.type === 'volume') {
      return { Type: 'volume', Name: m.name!, Source: mountpoint(m.name!), Destination: m.destination, Driver: 'local', Mode: m.mode, RW: m.rw, Propagation: m.propagation };
    }
    return { Type: m.type, Source: m.source ?? '', Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation };
  });
}

/** `ps --filter volume=`: a volume name, a bind's host path, or a destination. */
export function usesVolume(rec: ContainerRecord, value: string): boolean {
  return (rec.spec.mounts ?? []).some((m) => m.destination === value || (m.type === 'volume' ? m.name === value : m.source === value));
}

/** Refuses removal of a volume a container refers to (Docker's wording). */
export function assertUnused(ctx: Pick<MountContext, 'listContainers'>, name: string): void {
  const users = volumeUsers(ctx, name);
  if (users.length) throw new Conflict(`remove ${name}: volume is in use - [${users.map((c) => c.spec.id).join(', ')}]`);
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}
