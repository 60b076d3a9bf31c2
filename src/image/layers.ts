// Unpacked layers, one directory per chain ID, shared by every image whose layer stack
// starts with the same diffIDs.
//
// On-disk layout (version 1), below the data root:
//   layers/<chainID hex>/diff/         the layer's tree, OCI whiteouts as overlay whiteouts
//                                      (absent until first needed for a committed layer)
//   layers/<chainID hex>/layer.json    { "version": 1, chainID, diffID, parent, size }
//   layers/.wharf-tmp-*                a layer being unpacked or being deleted
// A layer directory is built under a temp name and published by one rename, so it is
// complete or absent; deletion renames it back to a temp name first, for the same reason.
// The uncompressed layer tar is kept as a blob (content/blobs/sha256/<diffID hex>) for save,
// except for a pulled layer, whose tar is its kept compressed blob (layer-tars.ts); read a
// layer's tar through `tars.open` only.
// A committed layer is recorded with its blob only (`addTar`): its tree is unpacked from the
// blob the first time something mounts it (`ensureUnpacked`), into a temp directory that
// one rename publishes as `diff/`, so `diff/` too is complete or absent. Write order: blob,
// layer record, image record; a crash between them leaves garbage that start collects.
// `durable: false` (a build's steps) renames without fsyncs; `syncLayer` makes a layer
// durable later. A record torn by a machine crash reads as an absent layer.
// Nothing counts references on disk: the image service derives them from its records.

import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { failpoint, fsyncDir, fsyncPath, KeyedMutex, markTopDirectory, readJson, tempPathFor, writeJsonAtomic } from '../store/index.js';
import { errnoCode, Internal, InvalidArgument } from '../errdefs/index.js';
import { DigestingStream, hexOf, type BlobStore, type Durability } from './blobs.js';
import type { Compression } from './decompress.js';
import { LayerTars } from './layer-tars.js';
import { createUnpacker, unpackTar } from './unpack.js';

const LAYER_FORMAT_VERSION = 1;

export interface LayerRecord {
  chainID: string;
  diffID: string;
  /** Chain ID of the layer below, "" for a base layer. */
  parent: string;
  /** Bytes of file content in this layer. */
  size: number;
}

/**
 * A pulled layer's compressed blob, being written by the caller as the tar streams in. Its
 * tar is then not stored uncompressed: `commit` (which must have verified the blob's
 * digest by the time the tar ended) runs once the tar matched its diffID, before the
 * layer is published.
 */
export interface KeptCompressed {
  digest: string;
  mediaType: string;
  compression: Compression;
  commit(): Promise<unknown>;
}

export function chainIDOf(parentChainID: string, diffID: string): string {
  if (!parentChainID) return diffID;
  return `sha256:${createHash('sha256').update(`${parentChainID} ${diffID}`).digest('hex')}`;
}

/** Chain IDs of a layer stack, bottom first. */
export function chainIDs(diffIDs: string[]): string[] {
  const out: string[] = [];
  let parent = '';
  for (const d of diffIDs) {
    parent = chainIDOf(parent, d);
    out.push(parent);
  }
  return out;
}

export class LayerStore {
  readonly dir: string;
  /** One unpack per layer at a time: a second caller waits and finds the tree there. */
  private readonly unpacking = new KeyedMutex();
  /** Chain IDs known to have their tree on disk (saves a stat per layer per mount). */
  private readonly unpacked = new Set<string>();
  /** Every layer tar is read through here (a blob by diffID, or a compressed blob). */
  readonly tars: LayerTars;
  constructor(
    root: string,
    private readonly blobs: BlobStore,
  ) {
    this.dir = path.join(root, 'layers');
    this.tars = new LayerTars(root, blobs);
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    // Each layer's tree in block groups of its own: see spread.ts (a hint; ext4 only).
    await markTopDirectory(this.dir);
  }

  diffDir(chainID: string): string {
    return path.join(this.dir, hexOf(chainID), 'diff');
  }

  async get(chainID: string): Promise<LayerRecord | undefined> {
    try {
      return await readJson<LayerRecord>(path.join(this.dir, hexOf(chainID), 'layer.json'));
    } catch (err) {
      if (errnoCode(err) === 'ENOTDIR') return undefined;
      // Written without fsync (a build step) and cut short by a machine crash: no layer.
      if (err instanceof SyntaxError) return undefined;
      throw err;
    }
  }

  /**
   * Takes an uncompressed layer tar: hashes it, keeps it as a blob and unpacks it, all in
   * one pass. `expectDiffID`, when known (load, pull), is checked before anything is
   * published. With `compressed` (pull), the tar is hashed but not kept: see KeptCompressed.
   */
  async ingest(src: Readable, opts: { parent: string; expectDiffID?: string; compressed?: KeptCompressed } & Durability): Promise<LayerRecord> {
    if (opts.compressed && !opts.expectDiffID) throw new Internal('a layer kept compressed needs its diffID to verify');
    const tmp = tempPathFor(path.join(this.dir, 'layer'));
    await fs.mkdir(path.join(tmp, 'diff'), { recursive: true });
    const writer = opts.compressed ? undefined : this.blobs.writer({ durable: opts.durable });
    const tee = writer ? writer.stream() : new DigestingStream();
    const { writable, done } = createUnpacker(path.join(tmp, 'diff'));
    tee.pipe(writable as unknown as NodeJS.WritableStream);
    try {
      const [, unpacked] = await Promise.all([pipeline(src, tee), done]);
      let diffID: string;
      if (writer) {
        diffID = (await writer.commit({ expected: opts.expectDiffID })).digest;
      } else {
        diffID = tee.digest();
        if (diffID !== opts.expectDiffID) throw new InvalidArgument(`digest mismatch: expected ${opts.expectDiffID}, got ${diffID}`);
        const c = opts.compressed!;
        await c.commit();
        await this.tars.record({ diffID, size: tee.size, blob: c.digest, mediaType: c.mediaType, compression: c.compression });
      }
      failpoint('import:after-blob');
      return await this.publish(tmp, { chainID: chainIDOf(opts.parent, diffID), diffID, parent: opts.parent, size: unpacked.size }, opts);
    } catch (err) {
      src.destroy();
      tee.destroy();
      writable.destroy();
      await writer?.abort();
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Keeps an uncompressed layer tar as a blob and records the layer without unpacking it
   * (commit: the tree is built by `ensureUnpacked` when first needed). `size` is the bytes of
   * regular-file content in the tar, counted by whoever produced it; read after the tar ends.
   */
  async addTar(src: Readable, opts: { parent: string; size: () => number } & Durability): Promise<LayerRecord> {
    const writer = this.blobs.writer({ durable: opts.durable });
    let blob;
    try {
      await pipeline(src, writer.stream());
      blob = await writer.commit();
    } catch (err) {
      src.destroy();
      await writer.abort();
      throw err;
    }
    failpoint('commit:after-blob');
    const chainID = chainIDOf(opts.parent, blob.digest);
    const existing = await this.get(chainID);
    if (existing) return existing;
    const tmp = tempPathFor(path.join(this.dir, 'layer'));
    await fs.mkdir(tmp);
    try {
      return await this.publish(tmp, { chainID, diffID: blob.digest, parent: opts.parent, size: opts.size() }, opts);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Makes sure a recorded layer's tree is on disk, unpacking it from its blob if not. */
  async ensureUnpacked(chainID: string): Promise<void> {
    if (this.unpacked.has(chainID)) return;
    await this.unpacking.run(chainID, async () => {
      const diff = this.diffDir(chainID);
      if (await exists(diff)) {
        this.unpacked.add(chainID);
        return;
      }
      const rec = await this.get(chainID);
      if (!rec) throw new Internal(`layer ${chainID} is not in the store`);
      const tmp = tempPathFor(path.join(this.dir, 'diff'));
      await fs.mkdir(tmp);
      try {
        await unpackTar(this.tars.open(rec.diffID), tmp);
        failpoint('layer:before-unpack-publish');
        await fs.rename(tmp, diff);
      } catch (err) {
        await fs.rm(tmp, { recursive: true, force: true });
        throw err;
      }
      await fsyncDir(path.dirname(diff));
      this.unpacked.add(chainID);
    });
  }

  /**
   * Unpacks a layer whose tar is already in the store (`tars.has`), unless present. Under
   * the same per-layer lock as `ensureUnpacked`: two first uses at once (two loads of
   * images sharing a layer) unpack it once, and the second finds the record.
   */
  async ensureFromBlob(diffID: string, parent: string): Promise<LayerRecord> {
    const chainID = chainIDOf(parent, diffID);
    return this.unpacking.run(chainID, async () => {
      const existing = await this.get(chainID);
      if (existing) return existing;
      const tmp = tempPathFor(path.join(this.dir, 'layer'));
      await fs.mkdir(path.join(tmp, 'diff'), { recursive: true });
      let rec: LayerRecord;
      try {
        const { size } = await unpackTar(this.tars.open(diffID), path.join(tmp, 'diff'));
        rec = await this.publish(tmp, { chainID, diffID, parent, size });
      } catch (err) {
        await fs.rm(tmp, { recursive: true, force: true });
        throw err;
      }
      this.unpacked.add(chainID);
      return rec;
    });
  }

  private async publish(tmp: string, rec: LayerRecord, opts: Durability = {}): Promise<LayerRecord> {
    const durable = opts.durable ?? true;
    await writeJsonAtomic(path.join(tmp, 'layer.json'), { version: LAYER_FORMAT_VERSION, ...rec }, { durable });
    const target = path.join(this.dir, hexOf(rec.chainID));
    try {
      await fs.rename(tmp, target);
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      // Someone published the same layer first; theirs is as good as ours.
      await fs.rm(tmp, { recursive: true, force: true });
      return (await this.get(rec.chainID)) ?? rec;
    }
    if (durable) await fsyncDir(this.dir);
    return rec;
  }

  /**
   * fsyncs what a layer written with `durable: false` left to the page cache: its blob, its
   * record and the directories naming them, all at once (one journal commit, not six in a
   * row). Files already on disk cost next to nothing. The unpacked tree is not synced
   * here: no writer of layer trees fsyncs them.
   */
  async syncLayer(rec: Pick<LayerRecord, 'chainID' | 'diffID'>): Promise<void> {
    const dir = path.join(this.dir, hexOf(rec.chainID));
    // No diffID blob: a pulled layer, whose tar is its compressed blob, written durably.
    const blob = fsyncPath(this.blobs.path(rec.diffID)).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
    await Promise.all([blob, fsyncPath(path.join(dir, 'layer.json')), fsyncDir(dir)]);
  }

  /** fsyncs the directories that name layers and blobs (once per batch of syncLayer). */
  async syncDirs(): Promise<void> {
    await Promise.all([fsyncDir(this.dir), fsyncDir(this.blobs.dir)]);
  }

  async remove(chainID: string): Promise<void> {
    this.unpacked.delete(chainID);
    const target = path.join(this.dir, hexOf(chainID));
    const tmp = tempPathFor(target);
    try {
      await fs.rename(target, tmp);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    await fs.rm(tmp, { recursive: true, force: true });
  }

  /** Chain IDs of every published layer. */
  async list(): Promise<string[]> {
    const names = await fs.readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}
