// `docker load`: a docker-archive (Docker 25+ OCI-shaped one, or the older
// `<id>/layer.tar` + `<id>.json` one) or a plain OCI image layout, possibly compressed.
//
// The archive's entries can come in any order (manifest.json is often last), so regular
// files are first staged under content/.wharf-tmp-load-*/ (swept at start after a crash),
// hashed as they are written. A layer whose staged digest is already its diffID (any
// uncompressed layer) is then renamed into the content store and unpacked from there;
// a compressed one is decompressed, hashed and unpacked in one pass. Layers already
// present are skipped. Image IDs come from the config bytes, so save → load keeps them.

import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { InvalidArgument } from '../errdefs/index.js';
import { tempPathFor } from '../store/index.js';
import { DigestingStream } from './blobs.js';
import { hostPlatform } from './config.js';
import { decompressStream } from './decompress.js';
import { chainIDOf } from './layers.js';
import { familiarName, normalizeReference } from '../reference/reference.js';
import type { StoreInternals } from './service.js';
import { entryComponents } from './unpack.js';

interface Staged {
  file: string;
  digest: string;
  size: number;
}

interface ImagePlan {
  configPath: string;
  configDigest?: string;
  layerPaths: string[];
  tags: string[];
  parent: string;
}

const MT_INDEX = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export async function loadArchive(store: StoreInternals, src: Readable): Promise<string[]> {
  const staging = tempPathFor(path.join(store.root, 'content', 'load'));
  await fs.mkdir(staging, { recursive: true });
  try {
    const { stream } = await decompressStream(src);
    const staged = await stageEntries(stream, staging);
    const plans = await planImages(staged);
    const lines: string[] = [];
    for (const plan of plans) lines.push(...(await loadImage(store, staged, plan)));
    return lines;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Archive path → staged file; symlinks and hard links resolve to their target's file. */
class StagedFiles {
  readonly files = new Map<string, Staged>();
  readonly links = new Map<string, string>();
  get(name: string): Staged | undefined {
    let n = path.posix.normalize(name).replace(/^\.\//, '');
    for (let i = 0; i < 10 && !this.files.has(n) && this.links.has(n); i++) n = this.links.get(n)!;
    return this.files.get(n);
  }
  async json<T>(name: string): Promise<T> {
    const f = this.get(name);
    if (!f) throw new InvalidArgument(`invalid archive: ${name} is missing`);
    try {
      return JSON.parse(await fs.readFile(f.file, 'utf8')) as T;
    } catch (err) {
      throw new InvalidArgument(`invalid archive: ${name}: ${(err as Error).message}`);
    }
  }
}

async function stageEntries(src: Readable, dir: string): Promise<StagedFiles> {
  const out = new StagedFiles();
  const extract = tar.extract();
  const entries = extract[Symbol.asyncIterator]();
  src.on('error', (err) => extract.destroy(err));
  src.pipe(extract as unknown as NodeJS.WritableStream);
  let n = 0;
  try {
    for await (const entry of { [Symbol.asyncIterator]: () => entries }) {
      const h = entry.header;
      const name = entryComponents(h.name).join('/');
      if (h.type === 'file' || h.type === 'contiguous-file') {
        const file = path.join(dir, String(n++));
        const digester = new DigestingStream();
        await pipeline(entry as unknown as Readable, digester, createWriteStream(file, { flags: 'wx' }));
        out.files.set(name, { file, digest: digester.digest(), size: digester.size });
      } else {
        if (h.type === 'symlink') out.links.set(name, path.posix.join(path.posix.dirname(name), h.linkname ?? ''));
        if (h.type === 'link') out.links.set(name, entryComponents(h.linkname ?? '').join('/'));
        entry.resume();
      }
    }
  } catch (err) {
    extract.destroy();
    if (err instanceof InvalidArgument) throw err;
    throw new InvalidArgument(`invalid archive: ${(err as Error).message}`, { cause: err });
  }
  return out;
}

async function planImages(staged: StagedFiles): Promise<ImagePlan[]> {
  if (staged.get('manifest.json')) {
    const items = await staged.json<Array<{ Config: string; RepoTags?: string[] | null; Layers: string[]; Parent?: string }>>('manifest.json');
    if (!Array.isArray(items)) throw new InvalidArgument('invalid archive: manifest.json is not a list');
    return items.map((m) => ({ configPath: m.Config, layerPaths: m.Layers ?? [], tags: m.RepoTags ?? [], parent: m.Parent ?? '' }));
  }
  if (staged.get('index.json')) return planOci(staged);
  throw new InvalidArgument('invalid archive: no manifest.json or index.json (the pre-1.10 format is not supported)');
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;

async function planOci(staged: StagedFiles): Promise<ImagePlan[]> {
  const index = await staged.json<{ manifests?: Descriptor[] }>('index.json');
  const byManifest = new Map<string, ImagePlan>();
  for (let desc of index.manifests ?? []) {
    const ann = desc.annotations ?? {};
    const refName = ann['org.opencontainers.image.ref.name'];
    const name = ann['io.containerd.image.name'] ?? (refName && /[:/]/.test(refName) ? refName : undefined);
    // A multi-platform index: take the host's platform, or the first one.
    for (let depth = 0; desc.mediaType && MT_INDEX.has(desc.mediaType) && depth < 4; depth++) {
      const nested = await staged.json<{ manifests?: Descriptor[] }>(blobPath(desc.digest));
      const host = hostPlatform();
      const list = nested.manifests ?? [];
      const pick = list.find((m) => m.platform?.os === host.os && m.platform?.architecture === host.architecture) ?? list[0];
      if (!pick) throw new InvalidArgument(`invalid archive: empty index ${desc.digest}`);
      desc = pick;
    }
    let plan = byManifest.get(desc.digest);
    if (!plan) {
      const m = await staged.json<{ config: Descriptor; layers: Descriptor[] }>(blobPath(desc.digest));
      plan = { configPath: blobPath(m.config.digest), configDigest: m.config.digest, layerPaths: m.layers.map((l) => blobPath(l.digest)), tags: [], parent: '' };
      byManifest.set(desc.digest, plan);
    }
    if (name) plan.tags.push(name);
  }
  return [...byManifest.values()];
}

async function loadImage(store: StoreInternals, staged: StagedFiles, plan: ImagePlan): Promise<string[]> {
  const cfgFile = staged.get(plan.configPath);
  if (!cfgFile) throw new InvalidArgument(`invalid archive: config ${plan.configPath} is missing`);
  if (plan.configDigest && plan.configDigest !== cfgFile.digest) {
    throw new InvalidArgument(`invalid archive: config digest mismatch: expected ${plan.configDigest}, got ${cfgFile.digest}`);
  }
  const configBytes = await fs.readFile(cfgFile.file);
  let diffIDs: string[];
  try {
    diffIDs = (JSON.parse(configBytes.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  } catch {
    throw new InvalidArgument(`invalid archive: config ${plan.configPath} has no rootfs.diff_ids`);
  }
  if (!Array.isArray(diffIDs) || diffIDs.length !== plan.layerPaths.length) {
    throw new InvalidArgument(`invalid archive: ${plan.configPath} names ${diffIDs?.length} layers, the manifest ${plan.layerPaths.length}`);
  }
  const chains: string[] = [];
  for (const d of diffIDs) chains.push(chainIDOf(chains.at(-1) ?? '', d));
  return store.pin([...chains, ...diffIDs], async () => {
    for (let i = 0; i < diffIDs.length; i++) {
      await ensureLayer(store, staged, { diffID: diffIDs[i]!, parent: chains[i - 1] ?? '', chainID: chains[i]!, layerPath: plan.layerPaths[i]! });
    }
    const img = await store.addImage(configBytes, { parent: plan.parent && store.index.images.has(plan.parent) ? plan.parent : '' });
    store.emit('load', img.id, { name: img.id });
    const lines: string[] = [];
    for (const tag of plan.tags) {
      const ref = normalizeReference(tag);
      const old = store.index.refs.get(ref);
      if (old && old !== img.id) {
        lines.push(`The image ${familiarName(ref)} already exists, renaming the old one with ID ${old} to empty string`);
      }
      await store.setRef(ref, img.id);
      lines.push(`Loaded image: ${familiarName(ref)}`);
    }
    if (plan.tags.length === 0) lines.push(`Loaded image ID: ${img.id}`);
    return lines;
  });
}

async function ensureLayer(
  store: StoreInternals,
  staged: StagedFiles,
  l: { diffID: string; parent: string; chainID: string; layerPath: string },
): Promise<void> {
  if ((await store.layers.get(l.chainID)) && (await store.layers.tars.has(l.diffID))) return;
  const f = staged.get(l.layerPath);
  if (await store.layers.tars.has(l.diffID)) {
    await store.layers.ensureFromBlob(l.diffID, l.parent);
    return;
  }
  if (!f) throw new InvalidArgument(`invalid archive: layer ${l.layerPath} is missing`);
  if (f.digest === l.diffID) {
    // Uncompressed: the staged file already is the blob.
    await store.blobs.adopt(f.file, l.diffID);
    await store.layers.ensureFromBlob(l.diffID, l.parent);
    return;
  }
  const { stream } = await decompressStream(createReadStream(f.file));
  const layer = await store.layers.ingest(stream, { parent: l.parent, expectDiffID: l.diffID });
  if (layer.chainID !== l.chainID) throw new InvalidArgument(`invalid archive: layer ${l.layerPath} does not match its diffID`);
}
