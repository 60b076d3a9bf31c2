// A container's init layer, as Docker's: a read-only layer between the image and the
// container's upper dir holding the mount points the runtime needs (/etc/hosts,
// /etc/hostname, /etc/resolv.conf, /proc, /sys, /dev) that the image lacks. Without it
// runc creates them in the container's own upper dir, so every container (every build
// RUN) would have changed /etc: its layer would carry an `etc/` entry (Docker's `RUN true`
// layer is the empty tar), and committing it would need overlay's xattrs read for /etc.
//
// It is made once per container, before its first mount, with plain file calls: each
// directory on the way takes the owner, mode and times the image's own has, so the merged
// view shows the image's /etc unchanged (overlay shows a merged directory's attributes
// from its topmost layer).
import { chmodSync, chownSync, lstatSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isWhiteout } from '../archive/upper-tree.js';

/** What the runtime mounts over, relative to `/`; the files are made empty, mode 0755, as runc and Docker make them. */
const MOUNT_POINTS: readonly { rel: string; kind: 'file' | 'dir' }[] = [
  { rel: 'etc/hosts', kind: 'file' },
  { rel: 'etc/hostname', kind: 'file' },
  { rel: 'etc/resolv.conf', kind: 'file' },
  { rel: 'proc', kind: 'dir' },
  { rel: 'sys', kind: 'dir' },
  { rel: 'dev', kind: 'dir' },
];

/**
 * Makes `initDir` (absent) for an image whose layers are `lowerDirs` (top first). Written in
 * a temp dir and renamed into place, so a crash leaves either no init dir or a whole one
 * (and a temp dir the next attempt clears first).
 */
export function makeInitLayer(initDir: string, lowerDirs: string[]): void {
  const tmp = `${initDir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { mode: 0o755 });
  try {
    const copied = new Map<string, Stats>();
    for (const m of MOUNT_POINTS) addMountPoint(tmp, lowerDirs, m, copied);
    // Times last: making the mount points inside changed them.
    for (const [dir, st] of copied) utimesSync(dir, st.atime, st.mtime);
    renameSync(tmp, initDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** `copied`: the directories made with an image directory's attributes, and that directory's stat. */
function addMountPoint(root: string, lowerDirs: string[], m: { rel: string; kind: 'file' | 'dir' }, copied: Map<string, Stats>): void {
  // Present in the image (or maybe present: an opaque directory, which only getfattr can
  // see, might hide a lower layer's entry): the runtime mounts over it without writing.
  if (inImage(lowerDirs, m.rel) !== 'absent') return;
  const parents = m.rel.split('/').slice(0, -1);
  for (let i = 1; i <= parents.length; i++) {
    const rel = parents.slice(0, i).join('/');
    const st = inImage(lowerDirs, rel);
    // A parent that is a symlink or a file in the image: leave it all to the runtime.
    if (st !== 'absent' && !st.isDirectory()) return;
    const dir = path.join(root, rel);
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    if (st !== 'absent') {
      chownSync(dir, st.uid, st.gid);
      chmodSync(dir, st.mode & 0o7777);
      copied.set(dir, st);
    } else chmodSync(dir, 0o755);
  }
  const target = path.join(root, m.rel);
  if (m.kind === 'dir') mkdirSync(target, { mode: 0o755 });
  else writeFileSync(target, '', { mode: 0o755, flag: 'wx' });
}

/**
 * The entry the image shows at `rel`: the topmost layer's, 'absent' when no layer has it or
 * a whiteout above hides it. An opaque directory above could hide what a lower layer has;
 * that errs towards "present", which only means the runtime makes the mount point itself.
 */
function inImage(lowerDirs: string[], rel: string): Stats | 'absent' {
  for (const layer of lowerDirs) {
    let st: Stats;
    try {
      st = lstatSync(path.join(layer, rel));
    } catch {
      continue;
    }
    // An overlay whiteout hides the path in every layer below.
    if (isWhiteout(st)) return 'absent';
    return st;
  }
  return 'absent';
}
