// The image service over the on-disk store: blobs (blobs.ts), unpacked layers (layers.ts),
// records and references (records.ts). See types.ts for the contract and write order.
//
// Concurrency: record and reference changes, and the garbage collection of layers and
// blobs, run one at a time under `lock`. Long work (unpacking a layer) runs outside it;
// what it has produced but not yet recorded is pinned so a concurrent delete's garbage
// collection leaves it alone.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgument, NotFound, msg } from '../errdefs/index.js';
import { failpoint, fsyncPath, KeyedMutex, sweepTemp } from '../store/index.js';
import { BlobStore } from './blobs.js';
import { applyChanges } from './changes.js';
import { decompressStream } from './decompress.js';
import {
  findConflict,
  isSingleReference,
  namedById,
  normalizeUsers,
  removeRefConflict,
  type ConflictMask,
} from './delete.js';
import { chainIDs, LayerStore, type KeptCompressed, type LayerRecord } from './layers.js';
import type { BlobWriter } from './blobs.js';
import { ImageIndex, type StoredImage } from './records.js';
import { formatFamiliar, normalizeReference, parseNormalizedNamed, parseReference, familiarName } from '../reference/reference.js';
import { loadArchive } from './archive-load.js';
import { saveArchive } from './archive-save.js';
import { hostPlatform, historyItems, matchesPruneFilters, validatePruneFilters } from './config.js';
import type {
  ContainerUse,
  ContainerConfigInImage,
  HistoryEntry,
  ImageConfigFile,
  ImageDeleteResponseItem,
  ImageEventSink,
  ImageHistoryItem,
  ImageIngest,
  ImageRecord,
  ImageService,
  ImportOptions,
  RootfsLayers,
} from './types.js';

export interface ImageServiceOptions {
  /** Data root, e.g. /var/lib/wharf. */
  root: string;
  onEvent?: ImageEventSink;
}

/** What archive import/export need from the store; kept narrow so they stay testable. */
export interface StoreInternals {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  readonly index: ImageIndex;
  /** Records a new image (config bytes become its ID) unless it exists; returns it. */
  addImage(configBytes: Buffer, opts: { parent: string; durable?: boolean }): Promise<StoredImage>;
  /** Points `ref` at `id`, as `docker tag` does. */
  setRef(ref: string, id: string): Promise<void>;
  pin<T>(ids: string[], fn: () => Promise<T>): Promise<T>;
  emit(action: Parameters<ImageEventSink>[0], id: string, attrs?: Record<string, string>): void;
}

/** sha256 of zero bytes: the one blob that may rightly be empty. */
const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export class LocalImageService implements ImageService, StoreInternals, ImageIngest {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly layers: LayerStore;
  readonly index: ImageIndex;
  private readonly lock = new KeyedMutex();
  private readonly pinned = new Map<string, number>();
  private readonly onEvent?: ImageEventSink;

  constructor(opts: ImageServiceOptions) {
    this.root = opts.root;
    this.onEvent = opts.onEvent;
    this.blobs = new BlobStore(opts.root);
    this.layers = new LayerStore(opts.root, this.blobs);
    this.index = new ImageIndex(opts.root);
  }

  async init(): Promise<void> {
    await this.blobs.init();
    await this.layers.init();
    for (const d of ['content', 'image', 'layers']) await sweepTemp(path.join(this.root, d));
    await this.index.load();
    // A record whose layers are gone cannot be used; drop it rather than fail later. A build
    // step's blobs are renamed into place without fsync: after a machine crash one can be
    // there but empty (delayed allocation): empty is right only for the digest of nothing.
    // (A pulled layer has no diffID blob at all: its tar is its compressed blob, layer-tars.ts.)
    const blobSize = (digest: string) => this.blobs.size(digest).catch(() => undefined);
    const torn = async (digest: string) => digest !== EMPTY_DIGEST && (await blobSize(digest)) === 0;
    const usable = (size: number | undefined, digest: string) => size !== undefined && (size > 0 || digest === EMPTY_DIGEST);
    // A base layer many images share is looked at once.
    const layerOk = new Map<string, Promise<boolean>>();
    const layerUsable = (c: string) => {
      let ok = layerOk.get(c);
      if (!ok) layerOk.set(c, (ok = this.layers.get(c).then(async (layer) => layer !== undefined && !(await torn(layer.diffID)))));
      return ok;
    };
    for (const img of [...this.index.images.values()]) {
      let complete = usable(await blobSize(img.id), img.id);
      for (const c of chainIDs(img.config.rootfs.diff_ids)) {
        if (!complete) break;
        complete = await layerUsable(c);
      }
      if (complete) continue;
      for (const r of this.index.refsOf(img.id)) this.index.refs.delete(r);
      await this.index.saveRefs();
      await this.index.deleteImage(img.id);
    }
    await this.collectGarbage();
  }

  emit(action: Parameters<ImageEventSink>[0], id: string, attrs: Record<string, string> = {}): void {
    this.onEvent?.(action, id, attrs);
  }

  list(): ImageRecord[] {
    return [...this.index.images.values()].map((img) => this.index.full(img));
  }

  resolve(refOrId: string): ImageRecord {
    return this.index.full(this.find(refOrId));
  }

  private find(refOrId: string): StoredImage {
    const s = refOrId.trim();
    const hex = /^(?:sha256:)?([a-f0-9]{64})$/.exec(s);
    if (hex) {
      const img = this.index.images.get(`sha256:${hex[1]}`);
      if (img) return img;
      throw new NotFound(msg.noSuchImage(s));
    }
    let display = s;
    if (!s.startsWith('sha256:')) {
      const ref = parseReference(s); // InvalidArgument for a malformed reference, as Docker
      const id = this.index.refs.get(normalizeReference(s));
      if (id) return this.index.images.get(id)!;
      display = formatFamiliar(ref);
    }
    const prefix = /^(?:sha256:)?([a-f0-9]+)$/.exec(s);
    if (prefix) {
      const hits = [...this.index.images.keys()].filter((id) => id.startsWith(`sha256:${prefix[1]}`));
      if (hits.length === 1) return this.index.images.get(hits[0]!)!;
    }
    throw new NotFound(msg.noSuchImage(display));
  }

  async tag(refOrId: string, newReference: string): Promise<void> {
    const ref = parseReference(newReference);
    if (ref.digest !== undefined) throw new InvalidArgument('refusing to create a tag with a digest reference');
    await this.lock.run('store', async () => {
      const img = this.find(refOrId);
      await this.setRefLocked(normalizeReference(newReference), img.id);
    });
  }

  async setRef(ref: string, id: string): Promise<void> {
    await this.lock.run('store', () => this.setRefLocked(ref, id));
  }

  private async setRefLocked(ref: string, id: string): Promise<void> {
    if (this.index.refs.get(ref) === id) return;
    this.index.refs.set(ref, id);
    await this.index.saveRefs();
    this.emit('tag', id, { name: familiarName(ref) });
  }

  async pin<T>(ids: string[], fn: () => Promise<T>): Promise<T> {
    for (const id of ids) this.pinned.set(id, (this.pinned.get(id) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      for (const id of ids) {
        const n = (this.pinned.get(id) ?? 1) - 1;
        if (n <= 0) this.pinned.delete(id);
        else this.pinned.set(id, n);
      }
    }
  }

  async addImage(configBytes: Buffer, opts: { parent: string; durable?: boolean }): Promise<StoredImage> {
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigFile;
    if (config?.rootfs?.type !== 'layers' || !Array.isArray(config.rootfs.diff_ids)) {
      throw new InvalidArgument('invalid image config: rootfs.diff_ids missing');
    }
    const digest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    // Pinned from before the blob exists until the record names it.
    return this.pin([digest], async () => {
      await this.blobs.putBytes(configBytes, { durable: opts.durable });
      return this.lock.run('store', async () => {
        const existing = this.index.images.get(digest);
        if (existing) return existing;
        const layerSizes: number[] = [];
        for (const c of chainIDs(config.rootfs.diff_ids)) {
          const layer = await this.layers.get(c);
          if (!layer) throw new InvalidArgument(`layer ${c} of image ${digest} is missing`);
          layerSizes.push(layer.size);
        }
        const size = layerSizes.reduce((a, b) => a + b, 0);
        const img: StoredImage = { id: digest, config, size, parent: opts.parent, addedAt: new Date().toISOString(), layerSizes };
        await this.index.putImage(img, { durable: opts.durable });
        return img;
      });
    });
  }

  async hasLayer(chainID: string): Promise<boolean> {
    return (await this.layers.get(chainID)) !== undefined;
  }

  async ingestLayer(tar: Readable, opts: { parent: string; expectDiffID: string; compressed?: KeptCompressed }): Promise<void> {
    await this.layers.ingest(tar, opts);
  }

  compressedLayerWriter(digest: string): BlobWriter {
    return this.blobs.writer({ verified: digest });
  }

  openLayerTar(diffID: string): Readable {
    return this.layers.tars.open(diffID);
  }

  hasLayerTar(diffID: string): Promise<boolean> {
    return this.layers.tars.has(diffID);
  }

  openBlob(digest: string): Readable {
    return this.blobs.open(digest);
  }

  hasBlob(digest: string): Promise<boolean> {
    return this.blobs.has(digest);
  }

  async configBytes(imageId: string): Promise<Buffer> {
    return fs.readFile(this.blobs.path(this.find(imageId).id));
  }

  async addImageWithRefs(configBytes: Buffer, references: string[]): Promise<ImageRecord> {
    const img = await this.addImage(configBytes, { parent: '' });
    for (const r of references) await this.setRef(normalizeReference(r), img.id);
    return this.index.full(this.index.images.get(img.id) ?? img);
  }

  async importRootfs(tar: Readable, opts: ImportOptions): Promise<ImageRecord> {
    const changes = applyChanges({}, opts.changes ?? []); // validate before reading the stream
    const target = opts.reference ? normalizeReference(opts.reference) : undefined;
    const { stream } = await decompressStream(tar);
    const layer = await this.layers.ingest(stream, { parent: '' });
    failpoint('import:after-layer');
    return this.pin([layer.chainID, layer.diffID], async () => {
      const now = new Date().toISOString();
      const platform = { ...hostPlatform(), ...(opts.platform ?? {}) };
      const comment = opts.message || `Imported from ${opts.source ?? '-'}`;
      const config: ImageConfigFile = {
        architecture: platform.architecture,
        comment,
        config: changes,
        created: now,
        history: [{ created: now, comment }],
        os: platform.os,
        rootfs: { type: 'layers', diff_ids: [layer.diffID] },
      };
      const img = await this.addImage(Buffer.from(JSON.stringify(config)), { parent: '' });
      this.emit('import', img.id, { name: img.id });
      failpoint('import:after-record');
      if (target) await this.setRef(target, img.id);
      return this.index.full(img);
    });
  }

  async commitLayer(opts: {
    parent: string;
    diffTar: Readable | null;
    diffSize?: () => number;
    config: ContainerConfigInImage;
    history: HistoryEntry;
    reference?: string;
    durable?: boolean;
  }): Promise<ImageRecord> {
    const parent = opts.parent ? this.find(opts.parent) : undefined;
    const target = opts.reference ? normalizeReference(opts.reference) : undefined;
    const parentDiffs = parent?.config.rootfs.diff_ids ?? [];
    const parentChain = chainIDs(parentDiffs).at(-1) ?? '';
    return this.pin(parent ? [parent.id] : [], async () => {
      let layer: LayerRecord | undefined;
      // With the content size known, only the blob is written now: the tree is unpacked
      // when something first mounts the image (unpackedRootfs).
      const durable = opts.durable;
      if (opts.diffTar && opts.diffSize) layer = await this.layers.addTar(opts.diffTar, { parent: parentChain, size: opts.diffSize, durable });
      else if (opts.diffTar) layer = await this.layers.ingest(opts.diffTar, { parent: parentChain, durable });
      return this.pin(layer ? [layer.chainID, layer.diffID] : [], async () => {
        const now = new Date().toISOString();
        const base: Partial<ImageConfigFile> = parent ? structuredClone(parent.config) : hostPlatform();
        const config: ImageConfigFile = {
          ...base,
          architecture: base.architecture ?? hostPlatform().architecture,
          os: base.os ?? 'linux',
          config: opts.config,
          created: opts.history.created ?? now,
          history: [...(base.history ?? []), { created: now, ...opts.history, ...(layer ? {} : { empty_layer: true }) }],
          rootfs: { type: 'layers', diff_ids: layer ? [...parentDiffs, layer.diffID] : [...parentDiffs] },
        };
        if (opts.history.author) config.author = opts.history.author;
        if (opts.history.comment !== undefined) config.comment = opts.history.comment;
        const img = await this.addImage(Buffer.from(JSON.stringify(config)), { parent: parent?.id ?? '', durable: opts.durable });
        if (target) await this.setRef(target, img.id);
        return this.index.full(img);
      });
    });
  }

  async syncImage(imageId: string): Promise<void> {
    const img = this.find(imageId);
    const diffIDs = img.config.rootfs.diff_ids;
    const layers = chainIDs(diffIDs).map((chainID, i) => ({ chainID, diffID: diffIDs[i]! }));
    // All at once: ext4 folds concurrent fsyncs into one journal commit.
    await Promise.all([
      fsyncPath(this.blobs.path(img.id)),
      this.index.syncImage(img.id),
      this.layers.syncDirs(),
      ...layers.map((l) => this.layers.syncLayer(l)),
    ]);
  }

  rootfsLayers(imageId: string): RootfsLayers {
    const img = this.find(imageId);
    return { lowerDirs: chainIDs(img.config.rootfs.diff_ids).map((c) => this.layers.diffDir(c)).reverse() };
  }

  async unpackedRootfs(imageId: string): Promise<RootfsLayers> {
    const img = this.find(imageId);
    const chain = chainIDs(img.config.rootfs.diff_ids);
    // Pinned so a concurrent image delete does not collect a layer while it is unpacked.
    await this.pin(chain, () => Promise.all(chain.map((c) => this.layers.ensureUnpacked(c))));
    return { lowerDirs: chain.map((c) => this.layers.diffDir(c)).reverse() };
  }

  layerSizes(imageId: string): { size: number; perLayer: number[] } {
    const img = this.find(imageId);
    return { size: img.size, perLayer: img.layerSizes ?? [] };
  }

  history(refOrId: string): ImageHistoryItem[] {
    const withSizes = (img: StoredImage) => ({ ...this.index.full(img), layerSizes: img.layerSizes });
    return historyItems(withSizes(this.find(refOrId)), (id) => {
      const p = this.index.images.get(id);
      return p && withSizes(p);
    });
  }

  async remove(
    refOrId: string,
    opts: { force: boolean; noPrune: boolean; inUseBy: (imageId: string) => Array<string | ContainerUse> },
  ): Promise<ImageDeleteResponseItem[]> {
    return this.lock.run('store', async () => {
      const img = this.find(refOrId);
      const records: ImageDeleteResponseItem[] = [];
      const users = normalizeUsers(opts.inUseBy(img.id));
      let refs = this.index.refsOf(img.id);
      let quiet = false;
      if (!namedById(img.id, refOrId)) {
        const ref = normalizeReference(refOrId);
        if (!opts.force && isSingleReference(refs) && users.length > 0) throw removeRefConflict(refOrId, users[0]!.id, img.id);
        await this.untag(img.id, [ref], records);
        // As moby: when no tag of that repository is left, its digest references go too.
        if (!ref.includes('@')) {
          const repo = ref.slice(0, ref.lastIndexOf(':'));
          const left = this.index.refsOf(img.id);
          if (!left.some((r) => !r.includes('@') && r.slice(0, r.lastIndexOf(':')) === repo)) {
            await this.untag(img.id, left.filter((r) => r.startsWith(`${repo}@`)), records);
          }
        }
        refs = this.index.refsOf(img.id);
        if (refs.length > 0) return records;
        quiet = true;
      } else if (isSingleReference(refs)) {
        const conflict = this.conflict(img.id, users, { hard: true, soft: !opts.force, activeReference: false });
        if (conflict) throw conflict;
        await this.untag(img.id, refs, records);
      }
      await this.deleteHelper(img.id, { force: opts.force, prune: !opts.noPrune, quiet, inUseBy: opts.inUseBy }, records);
      return records;
    });
  }

  private conflict(id: string, users: ContainerUse[], mask: ConflictMask) {
    const children = [...this.index.images.values()].filter((i) => i.parent === id).length;
    return findConflict({ imageId: id, children, users, refs: this.index.refsOf(id).length }, mask);
  }

  private async untag(id: string, refs: string[], records: ImageDeleteResponseItem[]): Promise<void> {
    if (refs.length === 0) return;
    for (const r of refs) this.index.refs.delete(r);
    await this.index.saveRefs();
    for (const r of refs) {
      records.push({ Untagged: familiarName(r) });
      this.emit('untag', id, { name: id });
    }
  }

  private async deleteHelper(
    id: string,
    opts: { force: boolean; prune: boolean; quiet: boolean; inUseBy: (imageId: string) => Array<string | ContainerUse> },
    records: ImageDeleteResponseItem[],
  ): Promise<void> {
    const users = normalizeUsers(opts.inUseBy(id));
    const conflict = this.conflict(id, users, { hard: true, soft: !opts.force, activeReference: true });
    if (conflict) {
      // moby's imageIsDangling: no references and no child images.
      const dangling = this.index.refsOf(id).length === 0 && ![...this.index.images.values()].some((i) => i.parent === id);
      if (opts.quiet && (!dangling || conflict.used)) return;
      throw conflict;
    }
    const parent = this.index.images.get(id)?.parent ?? '';
    await this.untag(id, this.index.refsOf(id), records);
    await this.deleteRecord(id, records);
    if (opts.prune && parent && this.index.images.has(parent)) {
      await this.deleteHelper(parent, { ...opts, force: false, quiet: true }, records);
    }
  }

  /** Deletes the record, then layers and blobs nothing else uses. Returns bytes freed. */
  private async deleteRecord(id: string, records: ImageDeleteResponseItem[]): Promise<number> {
    const img = this.index.images.get(id);
    await this.index.deleteImage(id);
    this.emit('delete', id, { name: id });
    records.push({ Deleted: id });
    const diffs = img?.config.rootfs.diff_ids ?? [];
    const { layers, bytes } = await this.collectGarbage({ layers: chainIDs(diffs), blobs: [id, ...diffs] });
    for (const c of layers) records.push({ Deleted: c });
    return bytes;
  }

  /**
   * Removes layers and blobs no record (and no pinned operation) uses: all of them at
   * start, only `candidates` (what a deleted image had) while other work may be running,
   * since an import publishes its layer before it can know and pin the layer's name.
   */
  private async collectGarbage(candidates?: { layers: string[]; blobs: string[] }): Promise<{ layers: string[]; bytes: number }> {
    const liveLayers = new Set<string>();
    const liveBlobs = new Set<string>();
    const liveDiffs = new Set<string>();
    for (const img of this.index.images.values()) {
      liveBlobs.add(img.id);
      for (const d of img.config.rootfs.diff_ids) liveDiffs.add(d);
      for (const c of chainIDs(img.config.rootfs.diff_ids)) liveLayers.add(c);
    }
    for (const d of liveDiffs) liveBlobs.add(d);
    // A pulled layer's compressed blob lives as long as its diffID does.
    for (const b of await this.layers.tars.blobsOf(liveDiffs)) liveBlobs.add(b);
    const removed: string[] = [];
    let bytes = 0;
    // Top layers first, so the Deleted list reads like Docker's (image, then its layers).
    const layers = candidates ? candidates.layers : await this.layers.list();
    const records = await Promise.all(layers.map((c) => this.layers.get(c)));
    const depth = (c: string): number => {
      const r = records[layers.indexOf(c)];
      return r?.parent ? 1 + depth(r.parent) : 0;
    };
    for (const c of [...layers].sort((a, b) => depth(b) - depth(a))) {
      const rec = records[layers.indexOf(c)];
      if (liveLayers.has(c) || this.pinned.has(c) || (candidates && !rec)) continue;
      bytes += rec?.size ?? 0;
      await this.layers.remove(c);
      removed.push(c);
    }
    // Record first, then its blob: a crash between leaves an unnamed blob, collected at start.
    for (const d of candidates ? candidates.blobs : await this.layers.tars.list()) {
      if (liveBlobs.has(d) || this.pinned.has(d)) continue;
      const rec = await this.layers.tars.compressed(d);
      if (!rec) continue;
      await this.layers.tars.remove(d);
      if (!liveBlobs.has(rec.blob) && !this.pinned.has(rec.blob)) await this.blobs.remove(rec.blob);
    }
    for (const b of candidates ? candidates.blobs : await this.blobs.list()) {
      if (liveBlobs.has(b) || this.pinned.has(b)) continue;
      await this.blobs.remove(b);
    }
    return { layers: removed, bytes };
  }

  async prune(opts: { all: boolean; filters: Record<string, string[]>; inUse: Set<string> }): Promise<{
    deleted: ImageDeleteResponseItem[];
    spaceReclaimed: number;
  }> {
    validatePruneFilters(opts.filters);
    return this.lock.run('store', async () => {
      const deleted: ImageDeleteResponseItem[] = [];
      let spaceReclaimed = 0;
      const now = Date.now();
      const all = opts.all || (opts.filters.dangling ?? []).some((v) => v === 'false' || v === '0');
      // Repeat: deleting a child can leave its parent prunable.
      for (let progress = true; progress; ) {
        progress = false;
        for (const img of [...this.index.images.values()]) {
          if (opts.inUse.has(img.id)) continue;
          const refs = this.index.refsOf(img.id);
          if (!all && refs.length > 0) continue;
          if ([...this.index.images.values()].some((i) => i.parent === img.id)) continue;
          if (!matchesPruneFilters(img, opts.filters, now)) continue;
          await this.untag(img.id, refs, deleted);
          spaceReclaimed += await this.deleteRecord(img.id, deleted);
          progress = true;
        }
      }
      return { deleted, spaceReclaimed };
    });
  }

  async save(refsOrIds: string[], out: Writable): Promise<void> {
    await saveArchive(this, refsOrIds, out);
  }

  async load(tar: Readable): Promise<string[]> {
    return loadArchive(this, tar);
  }

  /** Finds an image for save: named refs, all tags of a bare repository name, or IDs. */
  selectForSave(names: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const add = (id: string, ref?: string) => {
      const list = out.get(id) ?? [];
      if (ref && !list.includes(ref)) list.push(ref);
      out.set(id, list);
    };
    for (const name of names) {
      const img = this.find(name);
      if (namedById(img.id, name) && !this.index.refs.has(safeNormalize(name))) {
        add(img.id);
        continue;
      }
      const parsed = parseNormalizedNamed(name);
      if (parsed.tag === undefined && parsed.digest === undefined) {
        const repo = `${parsed.domain}/${parsed.path}:`;
        const tagged = [...this.index.refs.entries()].filter(([r]) => r.startsWith(repo));
        if (tagged.length > 0) {
          for (const [r, id] of tagged) add(id, r);
          continue;
        }
      }
      const ref = normalizeReference(name);
      add(img.id, ref.includes('@') ? undefined : ref);
    }
    return out;
  }
}

function safeNormalize(s: string): string {
  try {
    return normalizeReference(s);
  } catch {
    return '';
  }
}
