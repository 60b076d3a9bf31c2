// Small documents (manifests, configs) fetched whole and checked against their digest.
import { createHash } from 'node:crypto';
import { InvalidArgument } from '../errdefs/index.js';
import { blobStream } from './blob-stream.js';
import { registryError } from './errors.js';
import { BodyTooLarge, readBody, type HttpResponse } from './http.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, parseManifest, type Descriptor, type ImageManifest, type ManifestIndex } from './manifest.js';
import type { Repository } from './registry.js';
import { DEFAULT_RETRIES, backoff, isTransient, retryableStatus } from './retry.js';

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  manifest: ImageManifest | ManifestIndex;
}

/**
 * GET manifests/<tag|digest>; a digest reference must match the bytes, a tag the header.
 * 408/429/5xx answers and broken connections are retried, as blob downloads are.
 */
export async function fetchManifest(repo: Repository, tagOrDigest: string, display: string, o: { retries?: number; signal?: AbortSignal } = {}): Promise<FetchedManifest> {
  const retries = o.retries ?? DEFAULT_RETRIES;
  for (let attempt = 0; ; attempt++) {
    let res: HttpResponse;
    try {
      res = await repo.request({ method: 'GET', path: `manifests/${tagOrDigest}`, headers: { Accept: MANIFEST_ACCEPT } });
    } catch (err) {
      if (o.signal?.aborted || attempt >= retries || !isTransient(err)) throw err;
      await backoff(attempt, { baseMs: repo.backoffMs, signal: o.signal });
      continue;
    }
    if (res.status === 200) return readManifest(res, tagOrDigest, display);
    const body = await readBody(res, 1 << 16).catch(() => Buffer.alloc(0));
    if (retryableStatus(res.status) && attempt < retries) {
      await backoff(attempt, { baseMs: repo.backoffMs, retryAfter: res.headers['retry-after'], signal: o.signal });
      continue;
    }
    if (res.status === 401 || res.status === 403) {
      throw registryError(res.status, body, `pull access denied for ${display.replace(/[:@][^/]*$/, '')}, repository does not exist or may require 'docker login'`);
    }
    // Docker's words: 404 names the manifest; 429 and 5xx are the registry's answer alone.
    throw registryError(res.status, body, res.status === 404 ? `manifest for ${display} not found` : '');
  }
}

async function readManifest(res: HttpResponse, tagOrDigest: string, display: string): Promise<FetchedManifest> {
  // Checked before reading (Content-Length) and while reading (a chunked answer).
  const tooLarge = () => new InvalidArgument(`manifest for ${display} is too large: registries serve at most ${MAX_MANIFEST_BYTES} bytes`);
  const length = Number(res.headers['content-length'] ?? 0);
  if (length > MAX_MANIFEST_BYTES) {
    res.body.destroy();
    throw tooLarge();
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(res, MAX_MANIFEST_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw tooLarge();
    throw err;
  }
  const digest = sha256(bytes);
  const expected = tagOrDigest.startsWith('sha256:') ? tagOrDigest : (res.headers['docker-content-digest'] as string | undefined);
  if (expected && expected !== digest) throw new InvalidArgument(`manifest verification failed for digest ${expected}: got ${digest}`);
  const manifest = parseManifest(bytes, res.headers['content-type']);
  return { bytes, digest, mediaType: manifest.mediaType, manifest };
}

/** A small blob (an image config), verified, with the same retries as layers. */
export async function fetchSmallBlob(repo: Repository, desc: Descriptor, limit: number): Promise<Buffer> {
  if (desc.size > limit) throw new InvalidArgument(`blob ${desc.digest} is too large (${desc.size} bytes; at most ${limit})`);
  const chunks: Buffer[] = [];
  for await (const c of blobStream(repo, desc)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
