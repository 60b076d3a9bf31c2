// Streams a blob from a registry, verifying it as it goes, and resuming with a Range
// request when the connection breaks (as containerd's and Docker's fetchers do). The
// consumer sees one continuous stream; it errors if the bytes do not match the digest or
// size, after the last byte and before `end`, so nothing downstream commits bad data.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgument, Unavailable } from '../errdefs/index.js';
import { registryError } from './errors.js';
import { readBody } from './http.js';
import type { Descriptor } from './manifest.js';
import type { Repository } from './registry.js';
import { DEFAULT_RETRIES, backoff, isTransient, retryableStatus } from './retry.js';

export interface BlobStreamOptions {
  /** Attempts after the first one (default 5). */
  retries?: number;
  onBytes?: (received: number) => void;
  /**
   * Also called with every verified-so-far chunk (e.g. to keep the compressed blob); awaited,
   * so a failing copy fails the stream instead of going unhandled.
   */
  onChunk?: (chunk: Buffer) => void | Promise<void>;
  signal?: AbortSignal;
  /** Backoff base (ms); doubled per attempt (default: the repository's). */
  backoffMs?: number;
}

export function blobStream(repo: Repository, desc: Descriptor, opts: BlobStreamOptions = {}): Readable {
  return Readable.from(blobChunks(repo, desc, opts), { objectMode: false, highWaterMark: 1 << 20 });
}

async function* blobChunks(repo: Repository, desc: Descriptor, opts: BlobStreamOptions): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  let offset = 0;
  const retries = opts.retries ?? DEFAULT_RETRIES;
  let retryAfter: string | string[] | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await repo.request({ method: 'GET', path: `blobs/${desc.digest}`, headers: offset > 0 ? { Range: `bytes=${offset}-` } : {} });
      if (res.status !== 200 && res.status !== 206) {
        const body = await readBody(res, 1 << 16).catch(() => Buffer.alloc(0));
        const err = registryError(res.status, body, `fetching blob ${desc.digest}`);
        if (!retryableStatus(res.status)) throw Object.assign(err, { fatal: true });
        retryAfter = res.headers['retry-after'];
        throw err;
      }
      // A server that ignores Range starts again from byte 0: skip what we have.
      let skip = res.status === 200 ? offset : 0;
      for await (const raw of res.body as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        offset += chunk.length;
        if (offset > desc.size) throw Object.assign(new InvalidArgument(`blob ${desc.digest} is larger than its descriptor's ${desc.size} bytes`), { fatal: true });
        hash.update(chunk);
        await opts.onChunk?.(chunk);
        opts.onBytes?.(offset);
        yield chunk;
      }
      if (offset < desc.size) throw new Unavailable(`blob ${desc.digest}: stream ended after ${offset} of ${desc.size} bytes`);
      break;
    } catch (err) {
      if (opts.signal?.aborted || (err as { fatal?: boolean }).fatal || attempt >= retries || !isTransient(err)) {
        throw err;
      }
      await backoff(attempt, { baseMs: opts.backoffMs ?? repo.backoffMs, retryAfter, signal: opts.signal });
      retryAfter = undefined;
    }
  }
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== desc.digest) throw new InvalidArgument(`filesystem layer verification failed for digest ${desc.digest}: got ${got}`);
}
