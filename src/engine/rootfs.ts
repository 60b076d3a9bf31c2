// A container's root file system: an overlay of the image's layers (read-only, shared)
// under the container's own upper dir. Mounted when the container starts and unmounted
// when it exits; `mountedAt` lets reconciliation tell a live mount from a stale one.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Internal } from '../errdefs/index.js';

const run = promisify(execFile);

export interface RootfsPaths {
  /** Merged view: the container's `/`. */
  merged: string;
  upper: string;
  work: string;
}

export function rootfsPaths(containerDir: string): RootfsPaths {
  return { merged: path.join(containerDir, 'rootfs'), upper: path.join(containerDir, 'upper'), work: path.join(containerDir, 'work') };
}

export async function prepareRootfsDirs(p: RootfsPaths): Promise<void> {
  await Promise.all([p.merged, p.upper, p.work].map((d) => fs.mkdir(d, { recursive: true })));
}

/** The overlay mount as data, so it can be checked without mounting. */
export function overlayOptions(lowerDirs: string[], p: RootfsPaths): string {
  if (lowerDirs.length === 0) {
    // `FROM scratch`-like images with no layer: overlay needs a lower dir, an empty one will do.
    lowerDirs = [path.join(path.dirname(p.upper), 'empty-lower')];
  }
  return `lowerdir=${lowerDirs.join(':')},upperdir=${p.upper},workdir=${p.work}`;
}

export async function isMounted(target: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === target);
}

export async function mountRootfs(lowerDirs: string[], p: RootfsPaths): Promise<void> {
  if (await isMounted(p.merged)) return;
  if (lowerDirs.length === 0) await fs.mkdir(path.join(path.dirname(p.upper), 'empty-lower'), { recursive: true });
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', overlayOptions(lowerDirs, p), p.merged]);
  } catch (err) {
    throw new Internal(`error mounting container root file system: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
  }
}

export async function unmountRootfs(p: RootfsPaths): Promise<void> {
  if (!(await isMounted(p.merged))) return;
  try {
    await run('umount', [p.merged]);
  } catch (err) {
    // Someone else's unmount won the race: the goal is reached.
    if (!(await isMounted(p.merged))) return;
    // Busy (an exec or cp still inside): detach it, the kernel frees it when the last user goes.
    await run('umount', ['-l', p.merged]).catch(async (lazyErr: unknown) => {
      if (await isMounted(p.merged)) throw lazyErr ?? err;
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
