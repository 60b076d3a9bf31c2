// The image index: one record per image and one file for all references.
//
// On-disk layout (version 1), below the data root:
//   image/<id hex>.json        { version: 1, id, config, size, parent, addedAt }
//   image/repositories.json    { version: 1, refs: { "<normalised ref>": "sha256:<id>" } }
// Order of writes keeps every tag pointing at a complete image: an image record is
// written (atomically) before any reference to it, and references are dropped before
// the record is deleted. `load` also drops references to records that are missing, so
// a hand-damaged store still opens. A build writes its steps' records without fsync
// (`durable: false`); one a machine crash left empty or torn is skipped at load, as absent.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncDir, fsyncPath, readJson, writeJsonAtomic } from '../store/index.js';
import { hexOf } from './blobs.js';
import type { ImageRecord } from './types.js';

const FORMAT_VERSION = 1;

export type StoredImage = Omit<ImageRecord, 'repoTags' | 'repoDigests'> & {
  /** Per-layer sizes, bottom first (for `history`). */
  layerSizes?: number[];
};

interface RepositoriesFile {
  version: number;
  refs: Record<string, string>;
}

export class ImageIndex {
  readonly dir: string;
  readonly images = new Map<string, StoredImage>();
  /** normalised reference → image ID */
  readonly refs = new Map<string, string>();

  constructor(root: string) {
    this.dir = path.join(root, 'image');
  }

  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    this.images.clear();
    this.refs.clear();
    for (const name of await fs.readdir(this.dir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(name)) continue;
      let rec;
      try {
        rec = await readJson<StoredImage & { version?: number }>(path.join(this.dir, name));
      } catch (err) {
        if (err instanceof SyntaxError) continue; // torn by a machine crash: never there
        throw err;
      }
      if (!rec) continue;
      const { version: _v, ...img } = rec;
      this.images.set(img.id, img);
    }
    const repos = await readJson<RepositoriesFile>(path.join(this.dir, 'repositories.json'));
    let dropped = false;
    for (const [ref, id] of Object.entries(repos?.refs ?? {})) {
      if (this.images.has(id)) this.refs.set(ref, id);
      else dropped = true;
    }
    if (dropped) await this.saveRefs();
  }

  async putImage(img: StoredImage, opts: { durable?: boolean } = {}): Promise<void> {
    await writeJsonAtomic(path.join(this.dir, `${hexOf(img.id)}.json`), { version: FORMAT_VERSION, ...img }, opts);
    this.images.set(img.id, img);
  }

  /** fsyncs an image's record and this directory (after a `durable: false` putImage). */
  async syncImage(id: string): Promise<void> {
    await Promise.all([fsyncPath(path.join(this.dir, `${hexOf(id)}.json`)), fsyncDir(this.dir)]);
  }

  async deleteImage(id: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${hexOf(id)}.json`), { force: true });
    this.images.delete(id);
  }

  async saveRefs(): Promise<void> {
    const refs = Object.fromEntries([...this.refs.entries()].sort(([a], [b]) => a.localeCompare(b)));
    await writeJsonAtomic(path.join(this.dir, 'repositories.json'), { version: FORMAT_VERSION, refs } satisfies RepositoriesFile);
  }

  refsOf(id: string): string[] {
    // Docker lists an image's references sorted bytewise by their full name (refstore's lexicalRefs).
    return [...this.refs.entries()].filter(([, v]) => v === id).map(([k]) => k).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  full(img: StoredImage): ImageRecord {
    const refs = this.refsOf(img.id);
    const { layerSizes: _sizes, ...rest } = img;
    return { ...rest, repoTags: refs.filter((r) => !r.includes('@')), repoDigests: refs.filter((r) => r.includes('@')) };
  }
}
