// Sweeps cgroup directories a crashed run left behind. `runc delete` removes a container's
// cgroups itself; these are for a container whose runc state is gone (host crash, wharfd
// killed mid-create). cgroup directories can only go with rmdir, children first, and only
// once no process is in them.
//
// Works on cgroup v1 (one hierarchy per controller, plus the hybrid `unified`) and v2
// (one hierarchy at the root); each hierarchy is visited once even where several names
// point to it.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode, InvalidArgument } from '../errdefs/index.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

export interface SweepResult {
  removed: string[];
  /** Directories still holding processes (EBUSY); try again after killing them. */
  busy: string[];
}

/** The hierarchies to visit: the root itself on v2, each mounted subdir on v1. */
async function hierarchies(root: string): Promise<string[]> {
  try {
    await fs.access(path.join(root, 'cgroup.controllers'));
    return [root]; // pure v2
  } catch {
    // v1 or hybrid
  }
  const out: string[] = [];
  const seen = new Set<string>();
  for (const entry of await fs.readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue; // skips symlinks such as cpu -> cpu,cpuacct
    const dir = path.join(root, entry.name);
    const real = await fs.realpath(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(dir);
  }
  return out;
}

/**
 * Removes `<hierarchy>/<cgroupsPath>` (and any children) in every hierarchy. `cgroupsPath`
 * is relative to each hierarchy's root, as in the OCI spec ("/wharf/<id>").
 */
export async function removeCgroupLeftovers(cgroupsPath: string, opts: { root?: string } = {}): Promise<SweepResult> {
  const rel = path.posix.normalize(`/${cgroupsPath}`);
  if (rel === '/') throw new InvalidArgument(`refusing to remove a cgroup root: ${cgroupsPath}`);
  const result: SweepResult = { removed: [], busy: [] };
  for (const h of await hierarchies(opts.root ?? CGROUP_ROOT)) await removeTree(path.join(h, rel), result);
  return result;
}

async function removeTree(dir: string, result: SweepResult): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(path.join(dir, e.name), result);
  try {
    await fs.rmdir(dir);
    result.removed.push(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    if (code === 'EBUSY' || code === 'ENOTEMPTY') result.busy.push(dir);
    else throw err;
  }
}
