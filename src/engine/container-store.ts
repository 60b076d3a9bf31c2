// The set of containers: records on disk, an in-memory index by ID and name, and Docker's
// lookup rules (full ID, exact name, then unambiguous ID prefix).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, InvalidArgument, NotFound, msg } from '../errdefs/index.js';
import { markTopDirectory, readJson, writeJsonAtomic } from '../store/index.js';
import { CONTAINER_RECORD_VERSION, type ContainerRecord } from './container.js';

export class ContainerStore {
  private byId = new Map<string, ContainerRecord>();
  private idByName = new Map<string, string>();

  constructor(private readonly dir: string) {}

  containerDir(id: string): string {
    return path.join(this.dir, id);
  }

  /** Loads every record; a directory without a readable record is a crash leftover of create. */
  async load(): Promise<{ orphanDirs: string[] }> {
    await fs.mkdir(this.dir, { recursive: true });
    // Containers come and go: their inodes must not all queue behind the last ones freed.
    await markTopDirectory(this.dir);
    const orphanDirs: string[] = [];
    for (const id of await fs.readdir(this.dir)) {
      const rec = await readJson<ContainerRecord>(path.join(this.dir, id, 'container.json')).catch(() => undefined);
      if (!rec || rec.version !== CONTAINER_RECORD_VERSION || rec.spec.id !== id) {
        orphanDirs.push(path.join(this.dir, id));
        continue;
      }
      this.index(rec);
    }
    return { orphanDirs };
  }

  private index(rec: ContainerRecord): void {
    this.byId.set(rec.spec.id, rec);
    this.idByName.set(rec.spec.name, rec.spec.id);
  }

  list(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  nameTaken(name: string): string | undefined {
    return this.idByName.get(name);
  }

  /** Reserves the name and writes the first record; the container is visible after this. */
  async add(rec: ContainerRecord): Promise<void> {
    const holder = this.idByName.get(rec.spec.name);
    if (holder) throw new Conflict(msg.nameInUse(rec.spec.name, holder));
    this.index(rec);
    try {
      await this.save(rec);
    } catch (err) {
      this.byId.delete(rec.spec.id);
      this.idByName.delete(rec.spec.name);
      throw err;
    }
  }

  async save(rec: ContainerRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.containerDir(rec.spec.id), 'container.json'), rec, { durable: !rec.spec.buildIntermediate });
  }

  async rename(rec: ContainerRecord, newName: string): Promise<void> {
    const holder = this.idByName.get(newName);
    if (holder && holder !== rec.spec.id) throw new Conflict(msg.nameInUse(newName, holder));
    const old = rec.spec.name;
    rec.spec.name = newName;
    try {
      await this.save(rec);
    } catch (err) {
      rec.spec.name = old;
      throw err;
    }
    this.idByName.delete(old);
    this.idByName.set(newName, rec.spec.id);
  }

  /** Forgets the container, then deletes its directory (record first, so a crash mid-way leaves an orphan dir, not a broken record). */
  async remove(rec: ContainerRecord): Promise<void> {
    const dir = this.containerDir(rec.spec.id);
    await fs.rm(path.join(dir, 'container.json'), { force: true });
    this.byId.delete(rec.spec.id);
    this.idByName.delete(rec.spec.name);
    await fs.rm(dir, { recursive: true, force: true });
  }

  get(ref: string): ContainerRecord {
    const found = this.find(ref);
    if (!found) throw new NotFound(msg.noSuchContainer(ref));
    return found;
  }

  find(ref: string): ContainerRecord | undefined {
    if (!ref) return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.idByName.get(ref.replace(/^\//, ''));
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    let match: ContainerRecord | undefined;
    for (const [id, rec] of this.byId) {
      if (!id.startsWith(ref)) continue;
      if (match) throw new InvalidArgument(msg.ambiguousContainer(ref));
      match = rec;
    }
    return match;
  }
}
