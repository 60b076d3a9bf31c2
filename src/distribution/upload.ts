// Blob uploads (distribution spec "Pushing blobs"): a cross-repository mount when a
// source repository is known, else POST for an upload location, then one PUT with the
// whole blob (monolithic) or PATCH chunks and a closing PUT (chunked, for large blobs).
// A failed upload starts over from a new location, a few times.
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { Unavailable, isKind } from '../errdefs/index.js';
import { repositoryScope } from './auth.js';
import { registryError } from './errors.js';
import { readBody, type HttpResponse } from './http.js';
import type { Descriptor } from './manifest.js';
import { LayerProgress } from './progress.js';
import type { Repository } from './registry.js';
import type { ProgressSink } from './types.js';
import { backoff } from './retry.js';

export interface BlobSource {
  open(): Readable | Buffer;
}

/** Blobs above this size go up in chunks (default 64 MiB), each CHUNK_BYTES long. */
export const CHUNKED_ABOVE = 64 << 20;
export const CHUNK_BYTES = 16 << 20;
const ATTEMPTS = 3;

export async function uploadBlob(
  repo: Repository,
  desc: Descriptor,
  source: BlobSource,
  o: { mountFrom?: string[]; progress?: ProgressSink; id?: string; chunkedAbove?: number; chunkBytes?: number },
): Promise<{ mountedFrom?: string }> {
  for (const from of o.mountFrom ?? []) {
    const res = await repo.request({ method: 'POST', path: `blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`, scopes: [repositoryScope(from, ['pull'])], headers: { 'Content-Length': '0' } });
    await readBody(res, 1 << 16).catch(() => undefined);
    if (res.status === 201) return { mountedFrom: from };
    // 202: the registry opened an ordinary upload instead; cancel it and upload below.
    if (res.status === 202) await cancel(repo, res);
  }
  const bar = o.progress && o.id ? new LayerProgress(o.progress, o.id, 'Pushing', desc.size) : undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await uploadOnce(repo, desc, source, { bar, chunkedAbove: o.chunkedAbove ?? CHUNKED_ABOVE, chunkBytes: o.chunkBytes ?? CHUNK_BYTES });
      bar?.update(desc.size, true);
      return {};
    } catch (err) {
      if (attempt >= ATTEMPTS || !isKind(err, 'unavailable')) throw err;
      await backoff(attempt, { baseMs: repo.backoffMs });
    }
  }
}

async function cancel(repo: Repository, res: HttpResponse): Promise<void> {
  const loc = res.headers.location;
  if (!loc) return;
  const del = await repo.request({ method: 'DELETE', path: new URL(loc, res.url) }).catch(() => undefined);
  del?.body.resume();
}

async function start(repo: Repository): Promise<URL> {
  const res = await repo.request({ method: 'POST', path: 'blobs/uploads/', headers: { 'Content-Length': '0' } });
  const body = await readBody(res, 1 << 16);
  if (res.status !== 202 || !res.headers.location) throw registryError(res.status, body, `starting an upload to ${repo.name}`);
  return new URL(res.headers.location, res.url);
}

function withDigest(loc: URL, digest: string): URL {
  const u = new URL(loc);
  u.searchParams.set('digest', digest);
  return u;
}

function counting(bar: LayerProgress | undefined, base: number): Transform {
  let n = base;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      bar?.update(n);
      cb(null, chunk);
    },
  });
}

async function uploadOnce(repo: Repository, desc: Descriptor, source: BlobSource, o: { bar?: LayerProgress; chunkedAbove: number; chunkBytes: number }): Promise<void> {
  let loc = await start(repo);
  if (desc.size <= o.chunkedAbove) {
    const res = await repo.request({
      method: 'PUT',
      path: withDigest(loc, desc.digest),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) },
      body: () => {
        const src = source.open();
        return Buffer.isBuffer(src) ? src : src.pipe(counting(o.bar, 0));
      },
    });
    const body = await readBody(res, 1 << 16);
    if (res.status !== 201) throw registryError(res.status, body, `uploading blob ${desc.digest}`);
    return;
  }
  // Chunked: cut the stream into chunkBytes pieces, each PATCHed with its Content-Range.
  const src = source.open();
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingLen = 0;
  const flush = async () => {
    const chunk = Buffer.concat(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    const res = await repo.request({
      method: 'PATCH',
      path: loc,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(chunk.length), 'Content-Range': `${offset}-${offset + chunk.length - 1}` },
      body: () => chunk,
    });
    const body = await readBody(res, 1 << 16);
    if (res.status !== 202 || !res.headers.location) throw registryError(res.status, body, `uploading a chunk of blob ${desc.digest}`);
    loc = new URL(res.headers.location, res.url);
    offset += chunk.length;
    o.bar?.update(offset);
  };
  const chunks: AsyncIterable<Buffer> | Iterable<Buffer> = Buffer.isBuffer(src) ? [src] : (src as AsyncIterable<Buffer>);
  for await (const c of chunks) {
    let rest = c;
    while (rest.length > 0) {
      const take = Math.min(rest.length, o.chunkBytes - pendingLen);
      pending.push(rest.subarray(0, take));
      pendingLen += take;
      rest = rest.subarray(take);
      if (pendingLen === o.chunkBytes) await flush();
    }
  }
  if (pendingLen > 0) await flush();
  if (offset !== desc.size) throw new Unavailable(`blob ${desc.digest}: read ${offset} bytes, expected ${desc.size}`);
  const res = await repo.request({ method: 'PUT', path: withDigest(loc, desc.digest), headers: { 'Content-Length': '0' } });
  const body = await readBody(res, 1 << 16);
  if (res.status !== 201) throw registryError(res.status, body, `completing the upload of blob ${desc.digest}`);
}
