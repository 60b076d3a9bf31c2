// What the registry client remembers of images it pulled or pushed, so a push sends the
// same bytes a registry gave us (digests unchanged) and knows where blobs already are.
//
// On-disk layout (version 1), below the data root:
//   distribution/content/blobs/sha256/<hex>   manifests and compressed layer blobs as
//                                             registries serve them (verified on write)
//   distribution/images/<image id hex>.json   { version: 1, manifests: [ManifestRef] }
// A record is written after its image record exists; blobs no record names (a pull that
// was interrupted, an image that was deleted) are removed by `collect`.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BlobStore, hexOf } from '../image/blobs.js';
import { readJson, sweepTemp, writeJsonAtomic, KeyedMutex } from '../store/index.js';
import type { Descriptor } from './manifest.js';

const FORMAT_VERSION = 1;

export interface ManifestRef {
  digest: string;
  mediaType: string;
  size: number;
  /** Compressed layer descriptors, bottom first (a copy of the manifest's, for quick reads). */
  layers: Descriptor[];
  /** "host/repo" names this manifest is known to exist in (blob mounts come from these). */
  repositories: string[];
}

interface ImageMeta {
  version: number;
  manifests: ManifestRef[];
}

export class DistributionMeta {
  readonly blobs: BlobStore;
  private readonly dir: string;
  private readonly lock = new KeyedMutex();
  /** Blobs of work in progress, safe from `collect`. */
  private readonly busy = new Map<string, number>();

  constructor(root: string) {
    this.blobs = new BlobStore(path.join(root, 'distribution'));
    this.dir = path.join(root, 'distribution', 'images');
  }

  async init(): Promise<void> {
    await this.blobs.init();
    await fs.mkdir(this.dir, { recursive: true });
    await sweepTemp(path.join(this.dir, '..'));
  }

  async get(imageId: string): Promise<ManifestRef[]> {
    return (await readJson<ImageMeta>(this.file(imageId)))?.manifests ?? [];
  }

  /** Adds (or merges the repositories of) a manifest known for `imageId`. */
  async add(imageId: string, ref: ManifestRef): Promise<void> {
    await this.lock.run(imageId, async () => {
      const list = await this.get(imageId);
      // Most recently used last: a push prefers the manifest the image last came with.
      const i = list.findIndex((m) => m.digest === ref.digest);
      const repositories = [...new Set([...(i >= 0 ? list[i]!.repositories : []), ...ref.repositories])];
      if (i >= 0) list.splice(i, 1);
      list.push({ ...ref, repositories });
      await writeJsonAtomic(this.file(imageId), { version: FORMAT_VERSION, manifests: list } satisfies ImageMeta);
    });
  }

  async hold<T>(digests: string[], fn: () => Promise<T>): Promise<T> {
    for (const d of digests) this.busy.set(d, (this.busy.get(d) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const d of digests) {
        const n = (this.busy.get(d) ?? 1) - 1;
        if (n <= 0) this.busy.delete(d);
        else this.busy.set(d, n);
      }
    }
  }

  /** Drops records of images that are gone and blobs no record names. */
  async collect(liveImages: Set<string>): Promise<void> {
    const live = new Set<string>();
    for (const name of await fs.readdir(this.dir)) {
      const m = /^([a-f0-9]{64})\.json$/.exec(name);
      if (!m) continue;
      const id = `sha256:${m[1]}`;
      if (!liveImages.has(id)) {
        await fs.rm(path.join(this.dir, name), { force: true });
        continue;
      }
      for (const ref of await this.get(id)) {
        live.add(ref.digest);
        for (const l of ref.layers) live.add(l.digest);
      }
    }
    for (const b of await this.blobs.list()) {
      if (!live.has(b) && !this.busy.has(b)) await this.blobs.remove(b);
    }
  }

  private file(imageId: string): string {
    return path.join(this.dir, `${hexOf(imageId)}.json`);
  }
}
