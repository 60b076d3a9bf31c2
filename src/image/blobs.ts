// Content store: immutable blobs named by their sha256 digest.
//
// On-disk layout (version 1), below the data root:
//   content/blobs/sha256/<hex>   the blob's bytes, exactly as hashed
//   content/blobs/sha256/.wharf-tmp-*   writes in progress (swept at start)
// A blob becomes visible only by rename after it was fsynced and its size and digest
// checked, so a name always matches its content; the directory is fsynced after the
// rename so the name survives a power loss too. `durable: false` (a build's steps) skips
// both fsyncs: the rename still makes a kill -9 safe, and the build fsyncs its final
// image's files once at the end (ImageService.syncImage).

import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, fsyncPath, tempPathFor } from '../store/index.js';
import { InvalidArgument } from '../errdefs/index.js';

/** `durable: false`: atomic (temp + rename) but not fsynced; the caller syncs later. */
export interface Durability {
  durable?: boolean;
}

export interface BlobInfo {
  digest: string;
  size: number;
}

/** Counts and hashes the bytes that pass through it (counts only, when `hash` is false). */
export class DigestingStream extends Transform {
  readonly hash: Hash = createHash('sha256');
  size = 0;
  constructor(private readonly hashing: boolean = true) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.hashing) this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export function hexOf(digest: string): string {
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new InvalidArgument(`invalid digest: ${digest}`);
  return digest.slice(7);
}

export class BlobStore {
  readonly dir: string;
  constructor(root: string) {
    this.dir = path.join(root, 'content', 'blobs', 'sha256');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  path(digest: string): string {
    return path.join(this.dir, hexOf(digest));
  }

  async has(digest: string): Promise<boolean> {
    try {
      await fs.access(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  open(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  async size(digest: string): Promise<number> {
    return (await fs.stat(this.path(digest))).size;
  }

  /** Writes a small blob (a config JSON) given as bytes. */
  async putBytes(data: Uint8Array, opts: Durability = {}): Promise<BlobInfo> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (await this.has(digest)) return { digest, size: data.length };
    const w = this.writer(opts);
    await w.write(data);
    return w.commit({ expected: digest });
  }

  /** Streams `src` into the store; checks `expected` (digest/size) when given. */
  async put(src: Readable, expected?: { digest?: string; size?: number }): Promise<BlobInfo> {
    const w = this.writer();
    try {
      await pipeline(src, w.stream());
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w.commit({ expected: expected?.digest, size: expected?.size });
  }

  /**
   * A writer whose bytes become a blob on `commit`; callers that tee a stream use it.
   * `verified`: the caller checks the bytes against this digest itself and commits only if
   * they matched (a registry download verifies as it streams), so they are not hashed twice.
   */
  writer(opts: { verified?: string } & Durability = {}): BlobWriter {
    return new BlobWriter(this, opts.verified, opts.durable ?? true);
  }

  /** Moves a file already written elsewhere on this filesystem (and hashed) into the store. */
  async adopt(file: string, digest: string, opts: Durability = {}): Promise<void> {
    const durable = opts.durable ?? true;
    const target = this.path(digest);
    if (durable) await fsyncPath(file);
    await fs.rename(file, target);
    if (durable) await fsyncDir(this.dir);
  }

  async remove(digest: string): Promise<void> {
    await fs.rm(this.path(digest), { force: true });
  }

  /** All blob digests present. */
  async list(): Promise<string[]> {
    const names = await fs.readdir(this.dir);
    return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }
}

/** One blob being written: temp file → fsync → check → rename → fsync dir. */
export class BlobWriter {
  private readonly tmp: string;
  private readonly digester: DigestingStream;
  private readonly file;
  private done = false;

  constructor(
    private readonly store: BlobStore,
    private readonly verified: string | undefined,
    private readonly durable: boolean,
  ) {
    if (verified !== undefined) hexOf(verified); // a well-formed digest, or InvalidArgument
    this.digester = new DigestingStream(verified === undefined);
    this.tmp = tempPathFor(path.join(store.dir, 'blob'));
    this.file = createWriteStream(this.tmp, { flags: 'wx' });
    this.digester.pipe(this.file);
  }

  /** The writable end: bytes written here are hashed and stored. */
  stream(): DigestingStream {
    return this.digester;
  }

  async write(data: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => this.digester.write(data, (err) => (err ? reject(err) : resolve())));
  }

  async commit(opts: { expected?: string; size?: number } = {}): Promise<BlobInfo> {
    if (!this.digester.writableEnded) this.digester.end();
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.file.closed) return resolve();
        this.file.once('close', resolve);
        this.file.once('error', reject);
      });
      const digest = this.verified ?? this.digester.digest();
      const size = this.digester.size;
      if (opts.expected && opts.expected !== digest) {
        throw new InvalidArgument(`digest mismatch: expected ${opts.expected}, got ${digest}`);
      }
      if (opts.size !== undefined && opts.size !== size) {
        throw new InvalidArgument(`size mismatch for ${digest}: expected ${opts.size}, got ${size}`);
      }
      if (await this.store.has(digest)) {
        await fs.rm(this.tmp, { force: true });
      } else {
        await this.store.adopt(this.tmp, digest, { durable: this.durable });
      }
      this.done = true;
      return { digest, size };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.digester.destroy();
    // A write still in flight fails once the file is destroyed; nobody listens by then,
    // and an unheard 'error' would be an uncaught exception in the daemon.
    this.file.on('error', () => {});
    // The temp file may still be being opened (createWriteStream opens in the background):
    // removing it before the stream has closed would let the open create it afterwards.
    const closed = this.file.closed ? Promise.resolve() : new Promise<void>((resolve) => this.file.once('close', () => resolve()));
    this.file.destroy();
    await closed;
    await fs.rm(this.tmp, { force: true });
  }
}
