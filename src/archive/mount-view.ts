// A container's root file system with its volumes and bind mounts mounted in, on the host
// side, for GET /containers/{id}/archive: Docker 20.10 mounts them into the container's
// rootfs before it tars (daemon.mountVolumes), so a tar of "/" or of any directory holding
// a mount point carries the mounts' contents, for running and stopped containers alike.
// The ScopedRoot mount table (scoped-root.ts) covers paths that lead *into* a mount; GNU
// tar's walk below a directory does not consult it, hence real mounts here.
//
// The view is a private recursive bind of the merged dir at a scratch dir under the exec
// root (never under the container's dir: a leftover bind there would have `rm` delete the
// volume's files through it). Each mount point is resolved inside the view by ScopedRoot
// (so a symlink the container planted cannot aim a mount at the host) and mounted on
// through /proc/self/fd/<n> of the opened directory, never through a path string.
import { execFile, spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Internal, errnoCode } from '../errdefs/index.js';
import { at, ScopedRoot, type MountPoint } from './scoped-root.js';

const run = promisify(execFile);

export interface MountView {
  /** The view as "/", with no mount table: the mounts are real. */
  root: ScopedRoot;
  /** Releases the root and unmounts the view; every DirRef from `root` must be released first. */
  close(): Promise<void>;
}

const viewsDir = (execRoot: string) => path.join(execRoot, 'archive-views');

export async function openMountView(opts: { hostRoot: string; mounts: MountPoint[]; execRoot: string }): Promise<MountView> {
  const parent = viewsDir(opts.execRoot);
  await fs.mkdir(parent, { recursive: true, mode: 0o700 });
  const scratch = await fs.mkdtemp(path.join(parent, 'v-'));
  let root: ScopedRoot | undefined;
  try {
    // rprivate: nothing mounted under the view propagates to the host's or a container's mounts.
    await mount(['--rbind', '--make-rprivate', opts.hostRoot, scratch]);
    root = await ScopedRoot.open(scratch);
    // Parents before children, so a bind inside a volume lands on the volume.
    const sorted = [...opts.mounts].sort((a, b) => depth(a.destination) - depth(b.destination));
    for (const m of sorted) await mountInto(root, m);
  } catch (err) {
    await root?.close().catch(() => undefined);
    await removeView(scratch);
    throw err;
  }
  const opened = root;
  let closed = false;
  return {
    root: opened,
    close: async () => {
      if (closed) return;
      closed = true;
      await opened.close().catch(() => undefined);
      await removeView(scratch);
    },
  };
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}

/** Mounts `m.hostSource` on its destination inside the view, made first if missing (as Docker does). */
async function mountInto(root: ScopedRoot, m: MountPoint): Promise<void> {
  const src = await fs.stat(m.hostSource).catch(() => undefined);
  if (!src) return; // a bind source removed since: the container could not start with it either
  const srcIsDir = src.isDirectory();
  const r = await root.resolve(m.destination, { followLast: true, create: true });
  try {
    if (r.base === null) return; // "/" itself: runc refuses such a mount anyway
    const target = at(r.parent, r.base);
    let st = await fs.lstat(target).catch((e: unknown) => {
      if (errnoCode(e) !== 'ENOENT') throw e;
    });
    if (!st) {
      // O_EXCL: never through a symlink swapped in meanwhile.
      if (srcIsDir) await fs.mkdir(target, { mode: 0o755 });
      else await (await fs.open(target, 'wx', 0o644)).close();
      st = await fs.lstat(target);
    }
    // Opened without following a symlink, and only the kind the source is (a FIFO is not opened).
    if (st.isDirectory() !== srcIsDir || (!srcIsDir && !st.isFile())) return; // runc would not have mounted it either
    const fh = await fs.open(target, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (srcIsDir ? constants.O_DIRECTORY : 0));
    try {
      // The child's fd 3 is the opened mount point; -c keeps mount(8) from resolving it to a path.
      await mount(['--no-canonicalize', '--rbind', m.hostSource, '/proc/self/fd/3'], fh.fd);
    } finally {
      await fh.close();
    }
  } finally {
    await root.release(r.parent);
  }
}

function mount(args: string[], fd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mount', args, { stdio: ['ignore', 'ignore', 'pipe', ...(fd === undefined ? [] : [fd])] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Internal(`mounting for the archive: ${stderr.trim() || `mount exited ${code}`}`))));
  });
}

async function removeView(scratch: string): Promise<void> {
  try {
    await run('umount', ['-R', scratch]);
  } catch {
    // Busy (a tar still exiting): detach; the kernel frees it when the last user goes.
    await run('umount', ['-R', '-l', scratch]).catch(() => undefined);
  }
  // rmdir, never rm -r: if the unmount failed, the volume's files are below.
  await fs.rmdir(scratch).catch(() => undefined);
}

/**
 * Views a killed daemon left mounted (it died between opening and closing one): the daemon
 * calls this at start, before it serves, when no view of its own can be open.
 */
export async function sweepMountViews(execRoot: string): Promise<void> {
  const parent = viewsDir(execRoot);
  for (const name of await fs.readdir(parent).catch(() => [] as string[])) await removeView(path.join(parent, name));
}
