// `docker commit`: a container's upper dir as an OCI layer tar. Overlay's whiteouts
// (character devices 0/0) become ".wh.<name>" entries and opaque directories get a
// ".wh..wh..opq" entry, as the OCI image spec's changeset format says; overlay's own
// trusted.* xattrs stay behind. Hard links inside the layer stay hard links.
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { isWhiteout, opaqueDirs, walkUpper, type UpperEntry } from './upper-tree.js';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';

export interface LayerTar {
  stream: Readable;
  /** Settles when every entry is written (rejects on a read error; the stream is destroyed). */
  done: Promise<void>;
  /** Bytes of regular-file content written so far (hard links count once): the layer's size once `done`. */
  size(): number;
}

/** Starts writing the layer; read `stream` to drive it. */
export function upperLayerTar(upper: string, opts: { exclude?: ReadonlySet<string> } = {}): LayerTar {
  const pack = tar.pack();
  const counter = { size: 0 };
  const done = writeLayer(upper, pack, counter, opts.exclude).then(
    () => void pack.finalize(),
    (err: unknown) => {
      pack.destroy(err as Error);
      throw err;
    },
  );
  done.catch(() => undefined); // reported through the stream too
  return { stream: pack as unknown as Readable, done, size: () => counter.size };
}

interface EntryContext {
  opaque: boolean;
  links: Map<string, string>;
  counter: { size: number };
}

async function writeLayer(upper: string, pack: tar.Pack, counter: { size: number }, exclude?: ReadonlySet<string>): Promise<void> {
  const opaque = await opaqueDirs(upper);
  const links = new Map<string, string>();
  await walkUpper(upper, async (e) => {
    await addEntry(pack, e, { opaque: opaque.has(e.path), links, counter });
  }, { exclude });
}

function entryName(p: string): string {
  return p.replace(/^\//, '');
}

async function addEntry(pack: tar.Pack, e: UpperEntry, ctx: EntryContext): Promise<void> {
  const { st } = e;
  const name = entryName(e.path);
  const base = { uid: st.uid, gid: st.gid, mtime: st.mtime, mode: st.mode & 0o7777 };
  if (isWhiteout(st)) {
    const wh = path.posix.join(path.posix.dirname(name), WHITEOUT_PREFIX + path.posix.basename(name));
    await put(pack, { ...base, name: wh, type: 'file', size: 0, mode: 0o600 });
    return;
  }
  if (st.isDirectory()) {
    await put(pack, { ...base, name, type: 'directory' });
    if (ctx.opaque) await put(pack, { ...base, name: path.posix.join(name, WHITEOUT_OPAQUE), type: 'file', size: 0, mode: 0o600 });
    return;
  }
  if (st.isSymbolicLink()) {
    await put(pack, { ...base, name, type: 'symlink', linkname: await fs.readlink(e.hostPath) });
    return;
  }
  if (st.isFile()) {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = ctx.links.get(key);
      if (first !== undefined) {
        await put(pack, { ...base, name, type: 'link', linkname: first });
        return;
      }
      ctx.links.set(key, name);
    }
    ctx.counter.size += await putFile(pack, e, { ...base, name });
    return;
  }
  if (st.isFIFO()) await put(pack, { ...base, name, type: 'fifo' });
  else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const major = Math.floor(st.rdev / 256) & 0xfff;
    const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
    await put(pack, { ...base, name, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
  }
  // sockets are not archived (as Docker)
}

/**
 * A regular file's entry, from an fd opened without following a symlink. Opening an
 * existing file, fstat, a read from the page cache and close are a few µs each: synchronous
 * calls cost the main thread less than thread-pool round trips (and the walk yields between
 * entries). Big files stream.
 */
async function putFile(pack: tar.Pack, e: UpperEntry, header: Partial<tar.Header> & { name: string }): Promise<number> {
  const fd = openSync(e.hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  let streaming = false;
  try {
    const size = fstatSync(fd).size;
    if (size === 0) {
      await put(pack, { ...header, type: 'file', size: 0 });
    } else if (size <= WHOLE_READ_MAX) {
      // Small files in one read and one entry: a stream per file costs more than its bytes.
      const body = Buffer.allocUnsafe(size);
      let got = 0;
      for (let n = -1; got < size && n !== 0; got += n) n = readSync(fd, body, got, size - got, got);
      if (got !== size) throw new Error(`${e.path} changed size while being read`);
      await new Promise<void>((resolve, reject) => pack.entry({ ...header, type: 'file', size }, body, (err) => (err ? reject(err) : resolve())));
    } else {
      const w = pack.entry({ ...header, type: 'file', size });
      const src = createReadStream('', { fd, start: 0, end: size - 1 });
      streaming = true; // the stream owns the fd from here and closes it
      await pipeline(src, w);
    }
    return size;
  } finally {
    if (!streaming) closeSync(fd);
  }
}

/** Files up to this size are read whole (see putFile). */
const WHOLE_READ_MAX = 4 * 1024 * 1024;

function put(pack: tar.Pack, header: Partial<tar.Header> & { name: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const cb = (err?: Error | null) => (err ? reject(err) : resolve());
    // A file entry's sink must be ended even when empty; other types have no body.
    if (header.type === 'file') pack.entry(header, Buffer.alloc(0), cb);
    else pack.entry(header, cb);
  });
}
