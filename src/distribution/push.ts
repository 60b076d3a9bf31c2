// `docker push`: for each tag, a manifest whose blobs we hold (the one pulled, or one made
// now by gzipping the layer tars, kept for the next push so digests stay the same), then
// its blobs (skipped when the registry has them, mounted from another repository of the
// same registry when we know one, else uploaded), the config, and the manifest last.
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { NotFound } from '../errdefs/index.js';
import { formatFamiliar, parseNormalizedNamed, repositoryName, type Reference } from '../reference/reference.js';
import type { DistributionDeps } from './deps.js';
import { registryError } from './errors.js';
import { readBody } from './http.js';
import { Limiter } from './limit.js';
import { MT, type Descriptor } from './manifest.js';
import type { ManifestRef } from './meta.js';
import { sha256 } from './fetch.js';
import { shortId } from './progress.js';
import { openRepository, type Repository } from './registry.js';
import { uploadBlob, type BlobSource } from './upload.js';
import type { ProgressSink, PushOptions } from './types.js';

export async function push(deps: DistributionDeps, opts: PushOptions): Promise<void> {
  const ref = parseNormalizedNamed(opts.reference);
  const repoName = repositoryName(ref);
  const tags = ref.tag !== undefined ? [ref.tag] : localTags(deps, repoName);
  if (tags.length === 0) throw new NotFound(`An image does not exist locally with the tag: ${formatFamiliar(ref)}`);
  for (const t of tags) {
    try {
      deps.images.resolve(`${repoName}:${t}`);
    } catch {
      throw new NotFound(`An image does not exist locally with the tag: ${formatFamiliar({ ...ref, tag: ref.tag === undefined ? undefined : t })}`);
    }
  }
  opts.progress({ status: `The push refers to repository [${repoName}]` });
  const [repo] = await openRepository({ domain: ref.domain, repo: ref.path, actions: ['pull', 'push'], auth: opts.auth ?? {}, settings: deps.settings, signal: opts.signal, noMirrors: true });
  for (const tag of tags) await pushTag(deps, repo!, { ...ref, tag }, opts);
}

function localTags(deps: DistributionDeps, repoName: string): string[] {
  const prefix = `${repoName}:`;
  return deps.images
    .list()
    .flatMap((i) => i.repoTags)
    .filter((t) => t.startsWith(prefix) && !t.slice(prefix.length).includes('/'))
    .map((t) => t.slice(prefix.length))
    .sort();
}

async function pushTag(deps: DistributionDeps, repo: Repository, ref: Reference, opts: PushOptions): Promise<void> {
  const img = deps.images.resolve(`${repositoryName(ref)}:${ref.tag}`);
  const diffIDs = img.config.rootfs.diff_ids;
  await deps.images.pin([img.id, ...diffIDs], async () => {
    const m = await distributable(deps, img.id, diffIDs, ref.domain);
    await deps.meta.hold([m.digest, ...m.layers.map((l) => l.digest)], async () => {
      const repoName = repositoryName(ref);
      for (let i = diffIDs.length - 1; i >= 0; i--) opts.progress({ status: 'Preparing', progressDetail: {}, id: shortId(diffIDs[i]!) });
      const limiter = new Limiter(Math.max(1, deps.settings.maxConcurrentUploads));
      const mountFrom = m.repositories.filter((r) => r !== repoName && r.startsWith(`${parseNormalizedNamed(repoName).domain}/`)).map((r) => parseNormalizedNamed(r).path);
      const results = await Promise.allSettled(
        m.layers.map((desc, i) =>
          limiter.run(
            () => pushLayer(deps, repo, desc, { id: shortId(diffIDs[i]!), diffID: diffIDs[i]!, mountFrom, progress: opts.progress }),
            () => opts.progress({ status: 'Waiting', progressDetail: {}, id: shortId(diffIDs[i]!) }),
          ),
        ),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      const config = await deps.images.configBytes(img.id);
      const configDesc = { digest: img.id, size: config.length, mediaType: MT.dockerConfig };
      if (!(await blobExists(repo, img.id))) await uploadBlob(repo, configDesc, { open: () => config }, {});
      const manifestBytes = await readAll(deps.meta.blobs.open(m.digest));
      const res = await repo.request({ method: 'PUT', path: `manifests/${ref.tag}`, headers: { 'Content-Type': m.mediaType, 'Content-Length': String(manifestBytes.length) }, body: () => manifestBytes });
      const body = await readBody(res, 1 << 20);
      if (res.status !== 201 && res.status !== 200) throw registryError(res.status, body, `pushing manifest for ${formatFamiliar(ref)}`);
      opts.progress({ status: `${ref.tag}: digest: ${m.digest} size: ${manifestBytes.length}` });
      opts.progress({ progressDetail: {}, aux: { Tag: ref.tag, Digest: m.digest, Size: manifestBytes.length } });
      await deps.meta.add(img.id, { ...m, repositories: [repoName] });
      deps.images.emit('push', img.id, { name: formatFamiliar(ref) });
    });
  });
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

async function blobExists(repo: Repository, digest: string): Promise<boolean> {
  const res = await repo.request({ method: 'HEAD', path: `blobs/${digest}` });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw registryError(res.status, '', `checking blob ${digest}`);
}

/**
 * Where a blob's bytes are: our copy of a compressed blob (a manifest we made; older stores
 * kept pulled ones here too), or the image store's blob (a pulled layer's compressed blob,
 * or an uncompressed layer's tar, named by its diffID).
 */
async function blobSource(deps: DistributionDeps, desc: Descriptor, diffID: string): Promise<BlobSource | undefined> {
  if (await deps.meta.blobs.has(desc.digest)) return { open: () => deps.meta.blobs.open(desc.digest) };
  if (await deps.images.hasBlob(desc.digest)) return { open: () => deps.images.openBlob(desc.digest) };
  if (desc.digest === diffID && (await deps.images.hasLayerTar(diffID))) return { open: () => deps.images.openLayerTar(diffID) };
  return undefined;
}

async function pushLayer(
  deps: DistributionDeps,
  repo: Repository,
  desc: Descriptor,
  o: { id: string; diffID: string; mountFrom: string[]; progress: ProgressSink },
): Promise<void> {
  if (await blobExists(repo, desc.digest)) {
    o.progress({ status: 'Layer already exists', progressDetail: {}, id: o.id });
    return;
  }
  const source = (await blobSource(deps, desc, o.diffID)) ?? {
    open: () => {
      throw new NotFound(`blob ${desc.digest} of layer ${o.diffID} is neither in the local store nor mountable on ${repo.host}`);
    },
  };
  const result = await uploadBlob(repo, desc, source, { mountFrom: o.mountFrom, progress: o.progress, id: o.id, chunkedAbove: deps.settings.chunkedUploadAbove, chunkBytes: deps.settings.chunkBytes });
  if (result.mountedFrom) o.progress({ status: `Mounted from ${result.mountedFrom}`, progressDetail: {}, id: o.id });
  else o.progress({ status: 'Pushed', progressDetail: {}, id: o.id });
}

/**
 * A manifest for the image whose blobs we hold: one we pulled or pushed before, else a
 * new Docker schema 2 manifest with gzip layers (kept, so pushing again gives the same digest).
 */
async function distributable(deps: DistributionDeps, imageId: string, diffIDs: string[], domain: string): Promise<ManifestRef> {
  for (const m of (await deps.meta.get(imageId)).reverse()) {
    if (!(await deps.meta.blobs.has(m.digest)) || m.layers.length !== diffIDs.length) continue;
    // Blobs we lack may still be mounted from where this manifest came from on that registry.
    if (m.repositories.some((r) => r.startsWith(`${domain}/`))) return m;
    let all = true;
    for (let i = 0; i < m.layers.length && all; i++) all = (await blobSource(deps, m.layers[i]!, diffIDs[i]!)) !== undefined;
    if (all) return m;
  }
  const config = await deps.images.configBytes(imageId);
  // zlib runs on libuv's thread pool: layers compress side by side, one core each.
  const limiter = new Limiter(Math.max(1, deps.settings.maxConcurrentUploads));
  const layers: Descriptor[] = await Promise.all(
    diffIDs.map((diffID) =>
      limiter.run(async () => {
        const w = deps.meta.blobs.writer();
        try {
          await pipeline(deps.images.openLayerTar(diffID), createGzip(), w.stream());
        } catch (err) {
          await w.abort();
          throw err;
        }
        const blob = await w.commit();
        return { mediaType: MT.dockerLayerGzip, size: blob.size, digest: blob.digest };
      }),
    ),
  );
  const doc = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, size: config.length, digest: imageId },
    layers,
  };
  // Docker's distribution library indents with three spaces.
  const bytes = Buffer.from(JSON.stringify(doc, null, 3));
  await deps.meta.blobs.putBytes(bytes);
  const ref: ManifestRef = { digest: sha256(bytes), mediaType: MT.dockerManifest, size: bytes.length, layers, repositories: [] };
  await deps.meta.add(imageId, ref);
  return ref;
}
