// The build context as it streams in, read once: every file's bytes are appended to one
// spool file and hashed on the way, and each entry's header is kept in memory with where
// its bytes are. A fully cached build then never writes the context out as a tree: COPY
// keys come from the hashes here, and only a step that misses unpacks what it needs
// (through the image store's hostile-tar-safe unpacker, from a tar rebuilt off the spool).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { entryComponents, type TarHeader } from '../archive/tar-names.js';
import { unpackTar } from '../image/unpack.js';
import { cleanPath, hasGlob } from './dockerignore.js';

export interface IndexedEntry {
  /** Cleaned name ("" for the context root). */
  name: string;
  header: TarHeader;
  /** Where a regular file's bytes start in the spool. */
  offset: number;
  size: number;
  /** sha256 hex of a regular file's bytes. */
  digest?: string;
}

/** Spool writes are gathered to this size: a context is many small files. */
const FLUSH_AT = 1 << 20;

export class ContextIndex {
  /** Entries in tar order (duplicates kept: a later one wins, as when unpacking). */
  private readonly entries: IndexedEntry[] = [];
  private readonly byName = new Map<string, IndexedEntry>();
  /** Names that occur more than once (the later entry wins when unpacking). */
  private readonly duplicates = new Set<string>();
  private full?: string;
  private parts = 0;
  /** Host dirs unpacked from the index: digests of their files are known. */
  private readonly unpacked: string[] = [];

  private constructor(
    private readonly dir: string,
    private readonly spool: string,
  ) {}

  /** Reads a (decompressed) context tar into `dir` (a private temp dir). */
  static async receive(tarStream: Readable, dir: string): Promise<ContextIndex> {
    const index = new ContextIndex(dir, path.join(dir, 'spool'));
    const fh = await fs.open(index.spool, 'w', 0o600);
    try {
      await index.read(tarStream, fh);
    } finally {
      await fh.close();
    }
    return index;
  }

  private async read(src: Readable, fh: FileHandle): Promise<void> {
    // tar-stream's event interface rather than its async iterator: a context is mostly
    // small files, and the iterator's per-entry cost was half of the whole read.
    const extract = tar.extract();
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let written = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const bufs = pending;
      pending = [];
      pendingBytes = 0;
      await fh.writev(bufs, written);
      written += bufs.reduce((n, b) => n + b.length, 0);
    };
    await new Promise<void>((resolve, reject) => {
      // The error goes to our caller only: destroying with it would also raise it on the
      // current entry's stream, which nobody listens to.
      const fail = (err: Error) => {
        extract.destroy();
        reject(err);
      };
      src.on('error', fail);
      extract.on('error', reject);
      extract.on('finish', resolve);
      extract.on('entry', (header, stream, next) => {
        const h = header as TarHeader;
        let name: string;
        try {
          name = entryComponents(h.name).join('/');
        } catch (err) {
          return fail(err as Error);
        }
        // A truncated tar fails the entry's stream and the extractor alike: the extractor's
        // error is the one reported.
        stream.on('error', () => undefined);
        const e: IndexedEntry = { name, header: h, offset, size: 0 };
        if (this.byName.has(name)) this.duplicates.add(name);
        this.byName.set(name, e);
        this.entries.push(e);
        if (h.type !== 'file' && h.type !== 'contiguous-file') {
          stream.on('end', () => next());
          stream.resume();
          return;
        }
        const hash = createHash('sha256');
        stream.on('data', (data: unknown) => {
          const chunk = data as Buffer;
          hash.update(chunk);
          pending.push(chunk);
          pendingBytes += chunk.length;
          offset += chunk.length;
        });
        stream.on('end', () => {
          e.size = offset - e.offset;
          e.digest = hash.digest('hex');
          if (pendingBytes < FLUSH_AT) return next();
          flush().then(() => next(), fail);
        });
      });
      src.pipe(extract);
    });
    await flush();
  }

  /** A regular file's bytes (the Dockerfile, .dockerignore); undefined when `rel` is not one. */
  async readFile(rel: string): Promise<Buffer | undefined> {
    const e = this.byName.get(cleanPath(rel) === '.' ? '' : cleanPath(rel));
    if (!e || e.digest === undefined) return undefined;
    if (e.size === 0) return Buffer.alloc(0);
    const fh = await fs.open(this.spool, 'r');
    try {
      const buf = Buffer.alloc(e.size);
      await fh.read(buf, 0, e.size, e.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }

  /** Whether a name is in the index but is not a plain file (a link the caller must follow on disk). */
  isLink(rel: string): boolean {
    const t = this.byName.get(cleanPath(rel))?.header.type;
    return t === 'symlink' || t === 'link';
  }

  /**
   * The entries below the given context paths, when they alone decide what a COPY of them
   * reads: no globs, no path that leads through a link, no hard link or name twice in scope. Undefined
   * otherwise (the caller then unpacks everything and looks).
   */
  private scope(srcs: string[]): IndexedEntry[] | undefined {
    const rels: string[] = [];
    for (const s of srcs) {
      const rel = cleanPath(s);
      if (hasGlob(rel) || rel.split('/')[0] === '..') return undefined;
      if (rel === '.') {
        rels.push('');
        continue;
      }
      const comps = rel.split('/');
      for (let i = 1; i <= comps.length; i++) {
        const t = this.byName.get(comps.slice(0, i).join('/'))?.header.type;
        if (t === 'symlink' || t === 'link') return undefined;
      }
      rels.push(rel);
    }
    // "" is the context root ("."): everything is below it.
    const under = (e: IndexedEntry, r: string) => r === '' || e.name === r || e.name.startsWith(`${r}/`);
    const out = this.entries.filter((e) => rels.some((r) => under(e, r)));
    if (out.some((e) => e.header.type === 'link' || this.duplicates.has(e.name))) return undefined;
    // A source missing from the context: let the full path report it as Docker words it.
    if (rels.some((r) => r !== '' && !out.some((e) => under(e, r)))) return undefined;
    return out;
  }

  /**
   * A digest of everything COPY/ADD of `srcs` from the context can see, or undefined (see
   * `scope`). `ignored` (the .dockerignore rules) is asked about each entry in scope: its
   * answers, not the rules' text, decide what is copied.
   */
  sourceDigest(srcs: string[], ignored: (rel: string) => boolean): string | undefined {
    const scoped = this.scope(srcs);
    if (!scoped) return undefined;
    const h = createHash('sha256');
    // The sources themselves too: a directory the tar names only implicitly has no entry.
    h.update(JSON.stringify(srcs.map((r) => ignored(cleanPath(r) === '.' ? '' : cleanPath(r)))));
    for (const e of scoped) {
      const x = e.header;
      h.update(JSON.stringify([e.name, x.type ?? 'file', (x.mode ?? 0) & 0o7777, e.size, x.linkname ?? '', e.digest ?? '', ignored(e.name)]));
    }
    return h.digest('hex');
  }

  /** A host dir holding at least `srcs` (everything when omitted or when `scope` cannot tell). */
  async materialize(srcs?: string[]): Promise<string> {
    if (this.full) return this.full;
    let scoped = srcs ? this.scope(srcs) : undefined;
    if (scoped?.length === this.entries.length) scoped = undefined;
    const dest = path.join(this.dir, scoped ? `part-${++this.parts}` : 'full');
    await fs.mkdir(dest);
    await unpackTar(this.tarOf(scoped ?? this.entries), dest);
    this.unpacked.push(dest);
    if (!scoped) this.full = dest;
    return dest;
  }

  /** sha256 hex of a file unpacked by `materialize`, by its host path; undefined if unknown. */
  digestOf(host: string): string | undefined {
    for (const d of this.unpacked) {
      const rel = path.relative(d, host);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const e = this.byName.get(rel.split(path.sep).join('/'));
      return e?.header.type === 'file' || e?.header.type === 'contiguous-file' ? e.digest : undefined;
    }
    return undefined;
  }

  /** The chosen entries as a tar again, their bytes read back from the spool. */
  private tarOf(entries: IndexedEntry[]): Readable {
    const pack = tar.pack();
    const out = new PassThrough();
    pack.pipe(out);
    void (async () => {
      for (const e of entries) {
        const header = { ...e.header, size: e.digest !== undefined ? e.size : 0 } as tar.Header;
        await new Promise<void>((resolve, reject) => {
          if (e.digest === undefined || e.size === 0) return pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
          const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
          pipeline(createReadStream(this.spool, { start: e.offset, end: e.offset + e.size - 1 }), w).catch(reject);
        });
      }
      pack.finalize();
    })().catch((err: unknown) => out.destroy(err as Error));
    return out;
  }
}
