// A container's root file system: an overlay of the image's layers (read-only, shared)
// and the container's init layer (its mount points, see init-layer.ts) under the
// container's own upper dir. Mounted when the container starts and unmounted when it exits.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Internal } from '../errdefs/index.js';
import { makeInitLayer } from './init-layer.js';

const run = promisify(execFile);

export interface RootfsPaths {
  /** Merged view: the container's `/`. */
  merged: string;
  upper: string;
  work: string;
  /** The init layer, right under the upper dir (made at the first mount). */
  init: string;
  /**
   * The container's network namespace while it runs, held by a bind mount on this file (made
   * by the network wiring, see Networks.wireNewNetns); unmounted with the root.
   */
  netns: string;
}

export function rootfsPaths(containerDir: string): RootfsPaths {
  return {
    merged: path.join(containerDir, 'rootfs'),
    upper: path.join(containerDir, 'upper'),
    work: path.join(containerDir, 'work'),
    init: path.join(containerDir, 'init'),
    netns: path.join(containerDir, 'netns'),
  };
}

export async function prepareRootfsDirs(p: RootfsPaths): Promise<void> {
  await Promise.all([p.merged, p.upper, p.work].map((d) => fs.mkdir(d, { recursive: true })));
}

/** The overlay mount as data, so it can be checked without mounting. The init layer is also what `FROM scratch` images (no layer) stand on. */
export function overlayOptions(lowerDirs: string[], p: RootfsPaths): string {
  return `lowerdir=${[p.init, ...lowerDirs].join(':')},upperdir=${p.upper},workdir=${p.work}`;
}

/** Those of `targets` that are mount points now. */
async function mountedAmong(targets: (string | undefined)[]): Promise<string[]> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const points = new Set(info.split('\n').map((line) => line.split(' ')[4]));
  return targets.filter((t): t is string => t !== undefined && points.has(t));
}

/**
 * `volatile` (a build step's container, removed once its layer is taken): overlay skips the
 * sync of the whole upper file system it otherwise does at unmount, which with a build's
 * unsynced layers in the page cache costs tens of ms per step.
 */
export async function mountRootfs(lowerDirs: string[], p: RootfsPaths, opts: { volatile?: boolean } = {}): Promise<void> {
  const mounted = await mountedAmong([p.merged, p.netns]);
  if (mounted.includes(p.merged)) return;
  // A netns left mounted by a run whose end was not seen (the root is not mounted, so
  // nothing runs): a new one would be stacked on it.
  if (mounted.includes(p.netns)) await run('umount', [p.netns]).catch((err: unknown) => {
    throw new Internal(`error unmounting a stale network namespace at ${p.netns}: ${errorText(err)}`);
  });
  if (!existsSync(p.init)) {
    try {
      makeInitLayer(p.init, lowerDirs);
    } catch (err) {
      throw new Internal(`error creating the container's init layer: ${(err as Error).message}`, { cause: err });
    }
  }
  // A volatile mount leaves a marker overlay refuses to mount over again (a build container
  // kept with --rm=false, started or copied from later). The marker is there for a machine
  // crash during the mount; a wharfd that sees it, in this boot or the next, takes the upper
  // as it is, as Docker's build containers have no upper worth more.
  rmSync(path.join(p.work, 'work', 'incompat'), { recursive: true, force: true });
  const options = overlayOptions(lowerDirs, p) + (opts.volatile ? ',volatile' : '');
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, p.merged]);
  } catch (err) {
    throw new Internal(`error mounting container root file system: ${errorText(err)}`);
  }
}

/** A failed mount(8)'s stderr, else the error's message. */
function errorText(err: unknown): string {
  return (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
}

/** The root and, when given, the netns file: one `umount` for both. */
export async function unmountRootfs(p: Pick<RootfsPaths, 'merged'> & { netns?: string }): Promise<void> {
  const mounted = await mountedAmong([p.merged, p.netns]);
  if (!mounted.length) return;
  try {
    await run('umount', mounted);
  } catch (err) {
    // Someone else's unmount won the race: the goal is reached.
    const left = await mountedAmong(mounted);
    if (!left.length) return;
    // Busy (an exec or cp still inside): detach it, the kernel frees it when the last user goes.
    await run('umount', ['-l', ...left]).catch(async (lazyErr: unknown) => {
      if ((await mountedAmong(left)).length) throw lazyErr;
    });
  }
}

/** Every mount point at or below `dir`, deepest first (for sweeping what no record owns). */
export async function mountsBelow(dir: string): Promise<string[]> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mp): mp is string => !!mp && (mp === dir || mp.startsWith(prefix)))
    .sort((a, b) => b.length - a.length);
}
