// The local volume driver: one directory per volume under `<data-root>/volumes/`.
//
// On-disk layout (version 1, VOLUME_RECORD_VERSION):
//   volumes/<name>/volume.json   the record (name, labels, driver options), written atomically
//   volumes/<name>/_data/        what containers see (Docker's own layout, so paths match)
// `create` makes `_data` before the record; `remove` renames the directory to a temp name
// before deleting it. So after a `kill -9` at any point, `load` finds either a complete
// volume, a `_data` without a record (adopted: its data is kept), or a temp directory
// (swept). Volumes with a file system of their own (type/device options) are mounted on
// `_data` while a container uses them, and never left mounted otherwise.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { InvalidArgument, Internal, NotFound } from '../errdefs/index.js';
import { KeyedMutex, TEMP_MARK, readJson, tempPathFor, writeJsonAtomic } from '../store/index.js';
import { mountArgs, needsMount, validateLocalOptions } from './local-options.js';
import { anonymousVolumeName, validateVolumeName } from './names.js';
import { VOLUME_RECORD_VERSION, type CreateVolumeOptions, type VolumeRecord, type VolumeService, type VolumeView } from './types.js';

const run = promisify(execFile);
const RECORD = 'volume.json';

export class LocalVolumes implements VolumeService {
  private readonly byName = new Map<string, VolumeRecord>();
  /** Containers currently using each mounted volume. */
  private readonly users = new Map<string, Set<string>>();
  private readonly locks = new KeyedMutex();

  /** `root` is `<data-root>/volumes`. */
  constructor(private readonly root: string) {}

  async load(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const entry of await fs.readdir(this.root, { withFileTypes: true })) {
      const dir = path.join(this.root, entry.name);
      if (entry.name.startsWith(TEMP_MARK)) {
        await this.unmountBelow(dir);
        await fs.rm(dir, { recursive: true, force: true });
        continue;
      }
      if (!entry.isDirectory()) continue;
      for (const f of await fs.readdir(dir)) if (f.startsWith(TEMP_MARK)) await fs.rm(path.join(dir, f), { force: true });
      const rec = await readJson<VolumeRecord>(path.join(dir, RECORD)).catch(() => undefined);
      if (rec && rec.version === VOLUME_RECORD_VERSION && rec.name === entry.name) {
        this.byName.set(rec.name, rec);
        continue;
      }
      const data = await fs.stat(path.join(dir, '_data')).catch(() => undefined);
      if (!data) {
        await fs.rm(dir, { recursive: true, force: true }); // a create that crashed before `_data`
        continue;
      }
      // `_data` without a readable record: keep the data as a plain volume.
      const adopted = newRecord(entry.name, {}, {}, data.mtime);
      await writeJsonAtomic(path.join(dir, RECORD), adopted);
      this.byName.set(adopted.name, adopted);
    }
  }

  find(name: string): VolumeRecord | undefined {
    return this.byName.get(name);
  }

  get(name: string): VolumeRecord {
    const rec = this.byName.get(name);
    if (!rec) throw new NotFound(`get ${name}: no such volume`);
    return rec;
  }

  list(): VolumeRecord[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  mountpoint(name: string): string {
    return path.join(this.root, name, '_data');
  }

  view(rec: VolumeRecord): VolumeView {
    return {
      CreatedAt: rec.createdAt,
      Driver: rec.driver,
      Labels: Object.keys(rec.labels).length ? rec.labels : null,
      Mountpoint: this.mountpoint(rec.name),
      Name: rec.name,
      Options: Object.keys(rec.options).length ? rec.options : null,
      Scope: 'local',
    };
  }

  async create(opts: CreateVolumeOptions): Promise<{ volume: VolumeRecord; created: boolean }> {
    const name = opts.name || anonymousVolumeName();
    const driver = opts.driver || 'local';
    try {
      validateVolumeName(name);
      if (driver !== 'local') throw new NotFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
      validateLocalOptions(opts.options ?? {});
    } catch (err) {
      throw prefixed(err, `create ${name}`);
    }
    return this.locks.run(name, async () => {
      const existing = this.byName.get(name);
      if (existing) return { volume: existing, created: false };
      const rec = newRecord(name, opts.labels ?? {}, opts.options ?? {}, new Date());
      const dir = path.join(this.root, name);
      await fs.mkdir(path.join(dir, '_data'), { recursive: true, mode: 0o755 });
      await writeJsonAtomic(path.join(dir, RECORD), rec);
      this.byName.set(name, rec);
      return { volume: rec, created: true };
    });
  }

  async remove(name: string): Promise<void> {
    await this.locks.run(name, async () => {
      this.get(name);
      const dir = path.join(this.root, name);
      await this.unmountBelow(dir);
      // Renamed first: a crash during the delete leaves a temp directory `load` sweeps,
      // never a half-deleted volume.
      const doomed = tempPathFor(dir);
      await fs.rename(dir, doomed);
      this.byName.delete(name);
      this.users.delete(name);
      await fs.rm(doomed, { recursive: true, force: true });
    });
  }

  async acquire(name: string, user: string): Promise<string> {
    return this.locks.run(name, async () => {
      const rec = this.get(name);
      const target = this.mountpoint(name);
      const users = this.users.get(name) ?? new Set<string>();
      if (needsMount(rec.options) && !(await isMounted(target))) {
        try {
          await run('mount', mountArgs(rec.options, target));
        } catch (err) {
          throw new Internal(`error while mounting volume '${target}': failed to mount local volume: ${stderrOf(err)}`);
        }
      }
      users.add(user);
      this.users.set(name, users);
      return target;
    });
  }

  async release(name: string, user: string): Promise<void> {
    await this.locks.run(name, async () => {
      const users = this.users.get(name);
      users?.delete(user);
      if (users && users.size > 0) return;
      this.users.delete(name);
      const rec = this.byName.get(name);
      if (rec && needsMount(rec.options)) await unmount(this.mountpoint(name));
    });
  }

  async reconcile(users: Map<string, Set<string>>): Promise<void> {
    for (const rec of this.byName.values()) {
      const using = users.get(rec.name);
      if (using && using.size > 0) {
        this.users.set(rec.name, new Set(using));
        continue;
      }
      this.users.delete(rec.name);
      await this.unmountBelow(path.join(this.root, rec.name));
    }
  }

  /** Every mount at or below `dir` (a volume's file system, deepest first). */
  private async unmountBelow(dir: string): Promise<void> {
    const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
    const points = info.split('\n').map((l) => l.split(' ')[4]).filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)));
    for (const mp of points.sort((a, b) => b.length - a.length)) await unmount(mp);
  }
}

function newRecord(name: string, labels: Record<string, string>, options: Record<string, string>, created: Date): VolumeRecord {
  // Docker shows CreatedAt to the second, in UTC ("2024-01-02T03:04:05Z").
  const createdAt = `${created.toISOString().slice(0, 19)}Z`;
  return { version: VOLUME_RECORD_VERSION, name, driver: 'local', createdAt, labels, options };
}

function prefixed(err: unknown, context: string): Error {
  if (err instanceof InvalidArgument) return new InvalidArgument(`${context}: ${err.message}`, { cause: err });
  if (err instanceof NotFound) return new NotFound(`${context}: ${err.message}`, { cause: err });
  return err as Error;
}

async function isMounted(target: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === target);
}

async function unmount(target: string): Promise<void> {
  if (!(await isMounted(target))) return;
  try {
    await run('umount', [target]);
  } catch {
    // Busy (a process still inside): detach it; the kernel frees it when the last user goes.
    await run('umount', ['-l', target]).catch(() => undefined);
  }
}

function stderrOf(err: unknown): string {
  return (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
}
