// `docker pull`: manifest → (platform pick) → config → layers → image record and tags.
// Layers already present are skipped; the others download `maxConcurrentDownloads` at a
// time, each streamed through digest verification, decompression and unpacking at once.
import { InvalidArgument, NotFound, isKind } from '../errdefs/index.js';
import { chainIDs } from '../image/layers.js';
import { decompressStream } from '../image/decompress.js';
import { formatFamiliar, parseNormalizedNamed, repositoryName, type Reference } from '../reference/reference.js';
import { blobStream } from './blob-stream.js';
import type { DistributionDeps } from './deps.js';
import { fetchManifest, fetchSmallBlob, type FetchedManifest } from './fetch.js';
import { readBody } from './http.js';
import { Limiter } from './limit.js';
import { parsePlatform, selectPlatform, type Descriptor, type ImageManifest } from './manifest.js';
import { LayerProgress, progressBar, shortId } from './progress.js';
import { openRepository, type Repository } from './registry.js';
import { registryError } from './errors.js';
import type { ProgressSink, PullOptions } from './types.js';

const MAX_CONFIG_BYTES = 8 << 20;

export async function pull(deps: DistributionDeps, opts: PullOptions): Promise<void> {
  const ref = parseNormalizedNamed(opts.reference);
  if (opts.allTags && (ref.tag !== undefined || ref.digest !== undefined)) throw new InvalidArgument('tag can\'t be used with --all-tags/-a');
  const repos = await openRepository({ domain: ref.domain, repo: ref.path, actions: ['pull'], auth: opts.auth ?? {}, settings: deps.settings, signal: opts.signal });
  const tags = opts.allTags ? await listTags(repos[0]!) : [ref.digest === undefined ? (ref.tag ?? 'latest') : undefined];
  let newer = false;
  for (const tag of tags) {
    const one: Reference = tag === undefined ? { ...ref, tag: undefined } : { ...ref, tag };
    newer = (await pullOne(deps, repos, one, opts)) || newer;
  }
  const shown = opts.allTags ? formatFamiliar({ domain: ref.domain, path: ref.path }) : formatFamiliar(tags[0] === undefined ? ref : { ...ref, tag: tags[0] });
  opts.progress({ status: `Status: ${newer ? 'Downloaded newer image' : 'Image is up to date'} for ${shown}` });
}

async function listTags(repo: Repository): Promise<string[]> {
  const res = await repo.request({ method: 'GET', path: 'tags/list' });
  const body = await readBody(res, 16 << 20);
  if (res.status !== 200) throw registryError(res.status, body, `listing tags of ${repo.name}`);
  const tags = (JSON.parse(body.toString()) as { tags?: string[] | null }).tags ?? [];
  if (tags.length === 0) throw new NotFound(`no tags found for ${repo.name}`);
  return tags.sort();
}

/** Pulls one tag or digest; true when something new was stored. */
async function pullOne(deps: DistributionDeps, repos: Repository[], ref: Reference, opts: PullOptions): Promise<boolean> {
  const tagOrDigest = ref.digest ?? ref.tag!;
  const display = formatFamiliar(ref);
  // Mirrors first; a mirror that lacks the image (or fails) hands over to the next endpoint.
  let top: FetchedManifest | undefined;
  let repo: Repository | undefined;
  let lastErr: unknown;
  for (const r of repos) {
    try {
      // A failing mirror hands over at once rather than after the retries.
      top = await fetchManifest(r, tagOrDigest, display, { signal: opts.signal, retries: r.endpoint.mirror ? 0 : undefined });
      repo = r;
      break;
    } catch (err) {
      lastErr = err;
      if (!r.endpoint.mirror || opts.signal?.aborted) throw err;
    }
  }
  if (!top || !repo) throw lastErr;
  // After the manifest, as Docker: a missing one is a plain HTTP error, not a stream line.
  opts.progress({ status: `Pulling from ${ref.path}`, id: tagOrDigest });
  let fetched = top;
  if (fetched.manifest.kind === 'index') {
    const want = opts.platform ? parsePlatform(opts.platform) : deps.defaultPlatform;
    const desc = selectPlatform(fetched.manifest, want);
    fetched = await fetchManifest(repo, desc.digest, display, { signal: opts.signal });
    if (fetched.manifest.kind !== 'manifest') throw new InvalidArgument(`invalid manifest list: entry ${desc.digest} is not an image manifest`);
  }
  const manifest = fetched.manifest as ImageManifest;
  const configBytes = await fetchSmallBlob(repo, manifest.config, MAX_CONFIG_BYTES);
  let diffIDs: string[];
  try {
    diffIDs = (JSON.parse(configBytes.toString('utf8')) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
  } catch {
    throw new InvalidArgument(`invalid image config ${manifest.config.digest}: no rootfs.diff_ids`);
  }
  if (!Array.isArray(diffIDs) || diffIDs.length !== manifest.layers.length) {
    throw new InvalidArgument(`invalid image: the config names ${diffIDs?.length ?? 0} layers, the manifest ${manifest.layers.length}`);
  }
  const chains = chainIDs(diffIDs);
  const repoName = repositoryName(ref);
  const references = [
    ...(ref.tag !== undefined ? [`${repoName}:${ref.tag}`] : []),
    `${repoName}@${top.digest}`,
  ];
  const exists = (() => {
    try {
      deps.images.resolve(manifest.config.digest);
      return true;
    } catch {
      return false;
    }
  })();
  const manifestBlobs = [fetched.digest, ...manifest.layers.map((l) => l.digest)];
  const newer = await deps.images.pin([manifest.config.digest, ...chains, ...diffIDs], () =>
    deps.meta.hold(manifestBlobs, async () => {
      if (!exists) await pullLayers(deps, repo!, manifest, { diffIDs, chains, progress: opts.progress, signal: opts.signal });
      await deps.meta.blobs.putBytes(fetched.bytes);
      const before = new Set(refsOf(deps, manifest.config.digest));
      const img = await deps.images.addImageWithRefs(configBytes, references);
      await deps.meta.add(img.id, { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.bytes.length, layers: manifest.layers, repositories: [repoName] });
      return !exists || references.some((r) => !before.has(r));
    }),
  );
  opts.progress({ status: `Digest: ${top.digest}` });
  deps.images.emit('pull', manifest.config.digest, { name: display });
  return newer;
}

function refsOf(deps: DistributionDeps, id: string): string[] {
  try {
    const rec = deps.images.resolve(id);
    return [...rec.repoTags, ...rec.repoDigests];
  } catch {
    return [];
  }
}

async function pullLayers(
  deps: DistributionDeps,
  repo: Repository,
  manifest: ImageManifest,
  o: { diffIDs: string[]; chains: string[]; progress: ProgressSink; signal?: AbortSignal },
): Promise<void> {
  const todo: number[] = [];
  for (let i = 0; i < manifest.layers.length; i++) {
    const id = shortId(manifest.layers[i]!.digest);
    if ((await deps.images.hasLayer(o.chains[i]!)) && (await deps.images.hasLayerTar(o.diffIDs[i]!))) {
      o.progress({ status: 'Already exists', progressDetail: {}, id });
    } else {
      o.progress({ status: 'Pulling fs layer', progressDetail: {}, id });
      todo.push(i);
    }
  }
  const limiter = new Limiter(Math.max(1, deps.settings.maxConcurrentDownloads));
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  o.signal?.addEventListener('abort', onAbort);
  try {
    // The first failure cancels the other downloads; the error the user sees is that one.
    const results = await Promise.allSettled(
      todo.map((i) =>
        limiter.run(
          () => pullLayer(deps, repo, manifest.layers[i]!, { diffID: o.diffIDs[i]!, parent: o.chains[i - 1] ?? '', progress: o.progress, signal: controller.signal }).catch((err) => {
            controller.abort();
            throw err;
          }),
          () => o.progress({ status: 'Waiting', progressDetail: {}, id: shortId(manifest.layers[i]!.digest) }),
        ),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isKind(r.reason, 'internal'));
    const any = failed ?? results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (any) throw any.reason;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

async function pullLayer(
  deps: DistributionDeps,
  repo: Repository,
  desc: Descriptor,
  o: { diffID: string; parent: string; progress: ProgressSink; signal: AbortSignal },
): Promise<void> {
  if (o.signal.aborted) throw o.signal.reason ?? new Error('aborted');
  const bar = new LayerProgress(o.progress, shortId(desc.digest), 'Downloading', desc.size);
  // An uncompressed layer is its own diffID blob: the image store keeps it, no copy here.
  // A compressed one is kept as it came, in the image store, and stands for the layer's tar
  // there (no uncompressed copy is written; push sends it back unchanged). blobStream
  // verifies the digest before its stream ends, and `keep` commits only after that end (and
  // after the tar matched its diffID): it need not hash the same bytes again.
  const keep = desc.digest === o.diffID ? undefined : deps.images.compressedLayerWriter(desc.digest);
  const src = blobStream(repo, desc, {
    signal: o.signal,
    onBytes: (n) => bar.update(n),
    onChunk: keep ? (chunk) => keep.write(chunk) : undefined,
  });
  const onAbort = () => src.destroy(new Error('pull cancelled'));
  o.signal.addEventListener('abort', onAbort);
  try {
    const { stream: tar, compression } = await decompressStream(src);
    const compressed = keep && { digest: desc.digest, mediaType: desc.mediaType, compression, commit: () => keep.commit({ expected: desc.digest, size: desc.size }) };
    await deps.images.ingestLayer(tar, { parent: o.parent, expectDiffID: o.diffID, compressed });
  } catch (err) {
    await keep?.abort();
    src.destroy();
    throw err;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
  }
  bar.update(desc.size, true);
  bar.status('Verifying Checksum');
  bar.status('Download complete');
  o.progress({ status: 'Extracting', progressDetail: { current: desc.size, total: desc.size }, progress: progressBar(desc.size, desc.size), id: shortId(desc.digest) });
  bar.status('Pull complete');
}
