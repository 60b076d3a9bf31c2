// Where a layer's uncompressed tar comes from, by diffID: the one place that opens it.
//
// Most layers (load, import, commit, build) keep their tar as a blob named by the diffID.
// A pulled layer does not: the registry's compressed blob is kept instead (a push sends it
// back unchanged), and writing, hashing and fsyncing the uncompressed tar beside it doubled
// a pull's writes for nothing. Its tar is that blob, decompressed on read (save, push of a
// manifest we made, lazy unpack).
//
// On-disk layout (version 1), below the data root:
//   content/blobs/sha256/<hex>        the compressed blob (an ordinary blob of this store)
//   content/layer-tars/<diffID hex>.json
//       { "version": 1, diffID, size, blob, mediaType, compression }
//       size = bytes of the uncompressed tar; blob = the compressed blob's digest
// Write order: compressed blob, this record, then the layer and image records; a crash
// between them leaves records nothing names, which the image service's start-up
// collection removes along with their blobs. A diffID blob, when present, wins.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { readJson, writeJsonAtomic } from '../store/index.js';
import { errnoCode, NotFound } from '../errdefs/index.js';
import { hexOf, type BlobStore } from './blobs.js';
import { decompressStream, type Compression } from './decompress.js';

const FORMAT_VERSION = 1;

/** A layer tar kept only in compressed form. */
export interface CompressedTar {
  diffID: string;
  /** Bytes of the uncompressed tar. */
  size: number;
  /** Digest of the compressed blob in the content store. */
  blob: string;
  mediaType: string;
  compression: Compression;
}

export class LayerTars {
  readonly dir: string;
  constructor(
    root: string,
    private readonly blobs: BlobStore,
  ) {
    this.dir = path.join(root, 'content', 'layer-tars');
  }

  /**
   * Records that `src.diffID`'s tar is the (already committed) compressed blob `src.blob`.
   * The directory is made on first use: a store without pulls does not have it.
   */
  async record(src: CompressedTar): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(this.file(src.diffID), { version: FORMAT_VERSION, ...src });
  }

  async compressed(diffID: string): Promise<CompressedTar | undefined> {
    return readJson<CompressedTar>(this.file(diffID));
  }

  /** Is the tar of `diffID` available, in either form? */
  async has(diffID: string): Promise<boolean> {
    if (await this.blobs.has(diffID)) return true;
    const rec = await this.compressed(diffID);
    return rec !== undefined && (await this.blobs.has(rec.blob));
  }

  /** Bytes of the uncompressed tar. */
  async size(diffID: string): Promise<number> {
    if (await this.blobs.has(diffID)) return this.blobs.size(diffID);
    const rec = await this.compressed(diffID);
    if (!rec) throw new NotFound(`layer tar ${diffID} is not in the store`);
    return rec.size;
  }

  /**
   * The uncompressed tar of `diffID`. Synchronous for callers that hand a stream on; a
   * missing tar or a failing decompression surfaces as the stream's error.
   */
  open(diffID: string): Readable {
    const out = new PassThrough({ highWaterMark: 256 << 10 });
    void this.openAsync(diffID).then(
      (src) => {
        src.on('error', (err) => out.destroy(err));
        out.on('close', () => src.destroy());
        src.pipe(out);
      },
      (err: Error) => out.destroy(err),
    );
    return out;
  }

  private async openAsync(diffID: string): Promise<Readable> {
    if (await this.blobs.has(diffID)) return this.blobs.open(diffID);
    const rec = await this.compressed(diffID);
    if (!rec) throw new NotFound(`layer tar ${diffID} is not in the store`);
    // By magic bytes, as at pull: the record's compression is informational.
    return (await decompressStream(this.blobs.open(rec.blob))).stream;
  }

  /** Digests of the compressed blobs that stand for `diffIDs` (they live as long as those). */
  async blobsOf(diffIDs: Iterable<string>): Promise<string[]> {
    const out: string[] = [];
    for (const d of diffIDs) {
      const rec = await this.compressed(d);
      if (rec) out.push(rec.blob);
    }
    return out;
  }

  async remove(diffID: string): Promise<void> {
    await fs.rm(this.file(diffID), { force: true });
  }

  /** diffIDs that have a record. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    return names.flatMap((n) => {
      const m = /^([a-f0-9]{64})\.json$/.exec(n);
      return m ? [`sha256:${m[1]}`] : [];
    });
  }

  private file(diffID: string): string {
    return path.join(this.dir, `${hexOf(diffID)}.json`);
  }
}
