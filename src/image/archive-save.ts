// `docker save` in the layout Docker 25+ writes, which is at once an OCI image layout and
// a docker-archive:
//   blobs/sha256/<hex>   uncompressed layer tars (by diffID), configs, OCI manifests
//   index.json           OCI index, one manifest descriptor per tag (none for an ID)
//   manifest.json        docker-archive manifest: Config, RepoTags, Layers (paths)
//   oci-layout           {"imageLayoutVersion":"1.0.0"}
//   repositories         legacy {"name":{"tag":"<top layer hex>"}}
// Blobs are streamed from the content store into the tar; nothing is staged on disk.

import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import tar from 'tar-stream';
import { hexOf } from './blobs.js';
import { familiarName, parseNormalizedNamed, familiarRepository } from '../reference/reference.js';
import type { StoreInternals } from './service.js';

const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MT_INDEX = 'application/vnd.oci.image.index.v1+json';
const MT_CONFIG = 'application/vnd.oci.image.config.v1+json';
const MT_LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface SaveSource extends StoreInternals {
  /** image ID → normalised tags to record for it */
  selectForSave(names: string[]): Map<string, string[]>;
}

export async function saveArchive(store: SaveSource, names: string[], out: Writable): Promise<void> {
  const selected = store.selectForSave(names);
  const pack = tar.pack();
  const finished = new Promise<void>((resolve, reject) => {
    pack.pipe(out as unknown as NodeJS.WritableStream as never, (err?: Error | null) => (err ? reject(err) : resolve()));
  });
  const written = new Set<string>();
  const epoch = new Date(0);
  const addBytes = (name: string, data: Buffer, mtime = epoch) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())));
  // Layer tars through `layers.tars`: a pulled layer's is decompressed from its kept blob.
  const addBlobFile = async (digest: string, mtime: Date, kind: 'layer' | 'config') => {
    const name = `blobs/sha256/${hexOf(digest)}`;
    if (written.has(name)) return;
    written.add(name);
    const size = kind === 'layer' ? await store.layers.tars.size(digest) : await store.blobs.size(digest);
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry({ name, size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
      copyInto(kind === 'layer' ? store.layers.tars.open(digest) : store.blobs.open(digest), entry).catch((err: Error) => {
        entry.destroy(err);
        reject(err);
      });
    });
  };

  const dir = (name: string) =>
    new Promise<void>((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime: epoch }, (err) => (err ? reject(err) : resolve())));

  try {
    await dir('blobs/');
    await dir('blobs/sha256/');
    const manifest: Array<Record<string, unknown>> = [];
    const descriptors: Array<Record<string, unknown>> = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const [id, refs] of selected) {
      const img = store.index.images.get(id)!;
      const created = img.config.created ? new Date(img.config.created) : epoch;
      const layerDescs = [];
      for (const diffID of img.config.rootfs.diff_ids) {
        await addBlobFile(diffID, created, 'layer');
        layerDescs.push({ mediaType: MT_LAYER, digest: diffID, size: await store.layers.tars.size(diffID) });
      }
      await addBlobFile(id, created, 'config');
      const platform = { architecture: img.config.architecture, os: img.config.os, ...(img.config.variant ? { variant: img.config.variant } : {}) };
      const ociManifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MT_MANIFEST,
          config: { mediaType: MT_CONFIG, digest: id, size: await store.blobs.size(id), platform },
          layers: layerDescs,
        }),
      );
      const mDigest = `sha256:${createHash('sha256').update(ociManifest).digest('hex')}`;
      if (!written.has(mDigest)) {
        written.add(mDigest);
        await addBytes(`blobs/sha256/${hexOf(mDigest)}`, ociManifest);
      }
      const top = img.config.rootfs.diff_ids.at(-1);
      for (const ref of refs) {
        const parsed = parseNormalizedNamed(ref);
        descriptors.push({
          mediaType: MT_MANIFEST,
          digest: mDigest,
          size: ociManifest.length,
          platform,
          annotations: { 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': parsed.tag ?? 'latest' },
        });
        if (top) (repositories[familiarRepository(parsed)] ??= {})[parsed.tag ?? 'latest'] = hexOf(top);
      }
      if (refs.length === 0) descriptors.push({ mediaType: MT_MANIFEST, digest: mDigest, size: ociManifest.length, platform });
      const item: Record<string, unknown> = {
        Config: `blobs/sha256/${hexOf(id)}`,
        RepoTags: refs.length > 0 ? refs.map(familiarName) : null,
        Layers: img.config.rootfs.diff_ids.map((d) => `blobs/sha256/${hexOf(d)}`),
      };
      if (img.parent && selected.has(img.parent)) item.Parent = img.parent;
      manifest.push(item);
      store.emit('save', id, { name: id });
    }
    await addBytes('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT_INDEX, manifests: descriptors })));
    await addBytes('manifest.json', Buffer.from(JSON.stringify(manifest) + '\n'));
    await addBytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    if (Object.keys(repositories).length > 0) await addBytes('repositories', Buffer.from(JSON.stringify(repositories) + '\n'));
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    throw err;
  }
  await finished;
}

/** Copies a file stream into a tar entry, honouring the entry's backpressure. */
async function copyInto(src: Readable, entry: ReturnType<tar.Pack['entry']>): Promise<void> {
  for await (const chunk of src) {
    if (!entry.write(chunk as Buffer)) await new Promise<void>((resolve) => entry.once('drain', () => resolve(undefined)));
  }
  entry.end(undefined as never);
}
