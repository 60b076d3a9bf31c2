// At start, make the records agree with what runc, conmon and the kernel say. After a
// `kill -9` of wharfd, for each container record there are these possibilities:
//   1. recorded active, runc has it running/paused: it kept running; keep it.
//   2. recorded active, runc has it stopped or not at all, conmon left an exit file: it
//      exited while wharfd was down; finish the exit with that code.
//   3. recorded active, no runc container and no exit file: its monitor died too; record
//      it exited (code 255, as Docker does for a lost container) and clean up.
//   4. recorded inactive, runc still has it (a crash between create and the record
//      update): delete it from runc, unmount its root.
// Then what no record owns goes: runc containers, mounts below containers/, and
// container directories without a record (a create that crashed before its record).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isActive } from './container.js';
import { runtimePaths, type EngineDeps } from './deps.js';
import type { Lifecycle } from './lifecycle.js';
import { mountsBelow, rootfsPaths, unmountRootfs } from './rootfs.js';

const LOST_EXIT_CODE = 255;

export async function reconcile(deps: EngineDeps, lifecycle: Lifecycle, orphanDirs: string[]): Promise<void> {
  const known = new Map((await deps.runtime.list()).map((c) => [c.id, c]));
  const active = new Set<string>();
  for (const rec of deps.store.list()) {
    const id = rec.spec.id;
    const live = known.get(id);
    known.delete(id);
    const paths = runtimePaths(deps.config, deps.store.containerDir(id), id);
    if (rec.state.status === 'restarting') {
      // Waiting for its restart policy's back-off (or crashed while being restarted): the
      // restart supervisor starts it again once reconcile is done.
      if (live) await deps.runtime.delete(id, { force: true });
      await unmountRootfs(rootfsPaths(deps.store.containerDir(id)));
      continue;
    }
    if (isActive(rec.state)) {
      if (live && (live.status === 'running' || live.status === 'paused')) {
        rec.state.status = live.status; // case 1 (paused/unpaused while we were away is kept as runc says)
        rec.state.pid = live.pid;
        active.add(id);
        continue;
      }
      const code = await deps.runtime.readExitCode(paths.exitDir, id);
      // conmon wrote the exit file when the process exited: that, not now, is FinishedAt.
      const finishedAt = code === undefined ? undefined : await fs.stat(path.join(paths.exitDir, id)).then((st) => st.mtime.toISOString(), () => undefined);
      await lifecycle.onExit(id, code ?? LOST_EXIT_CODE, { finishedAt }); // cases 2 and 3
      continue;
    }
    if (live) await deps.runtime.delete(id, { force: true }); // case 4
    await unmountRootfs(rootfsPaths(deps.store.containerDir(id)));
  }
  for (const id of known.keys()) await deps.runtime.delete(id, { force: true });
  const containersDir = path.dirname(deps.store.containerDir('x'));
  for (const mp of await mountsBelow(containersDir)) {
    const id = path.relative(containersDir, mp).split(path.sep)[0];
    if (!active.has(id)) await unmountRootfs({ merged: mp });
  }
  for (const dir of orphanDirs) await fs.rm(dir, { recursive: true, force: true });
}
