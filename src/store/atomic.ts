// Crash-safe file writes. A reader (or a wharfd restarted after `kill -9`) sees either the
// old file or the new one, never a torn one: write a temp file beside the target, fsync
// it, rename it over the target, then fsync the directory so the rename itself is durable.
// Temp files carry TEMP_MARK so `sweepTemp` can remove the leftovers of a crash at start.

import { promises as fs, constants, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export const TEMP_MARK = '.wharf-tmp-';

export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `${TEMP_MARK}${path.basename(target)}-${randomBytes(6).toString('hex')}`);
}

/** fsyncs a regular file by path (one written earlier without fsync). */
export async function fsyncPath(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * `durable: false` for files regenerated whenever they are needed (a container's hosts and
 * resolv.conf at each start): still all-or-nothing for readers, but no fsync, which costs
 * more than the write on the start path. After a power loss such a file may be empty.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o644, opts: { durable?: boolean } = {}): Promise<void> {
  const durable = opts.durable ?? true;
  if (!durable && data.length <= SYNC_WRITE_MAX) return writeSmallFileAtomicSync(target, data, mode);
  const tmp = tempPathFor(target);
  const handle = await fs.open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    if (durable) await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (durable) await fsyncDir(path.dirname(target));
}

/**
 * Without an fsync, a small file's open, write, close and rename take microseconds each in
 * the page cache: done synchronously they cost the main thread less than four thread-pool
 * round trips, and they sit on every container start's path (records, config.json, etc files).
 */
const SYNC_WRITE_MAX = 256 * 1024;

function writeSmallFileAtomicSync(target: string, data: string | Uint8Array, mode: number): void {
  const tmp = tempPathFor(target);
  try {
    writeFileSync(tmp, data, { mode, flag: 'wx' });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(target: string, value: unknown, opts: { durable?: boolean } = {}): Promise<void> {
  await writeFileAtomic(target, JSON.stringify(value), 0o644, opts);
}

/** Reads a JSON record; undefined when the file does not exist. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as T;
}

/** Removes temp files (and temp directories) left by a crash, anywhere below `root`. */
export async function sweepTemp(root: string): Promise<number> {
  let removed = 0;
  let entries;
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(root, e.name);
    if (e.name.startsWith(TEMP_MARK)) {
      await fs.rm(p, { recursive: true, force: true });
      removed++;
    } else if (e.isDirectory()) {
      removed += await sweepTemp(p);
    }
  }
  return removed;
}
