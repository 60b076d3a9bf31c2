// `docker commit`: a container's upper dir as an OCI layer tar. Overlay's whiteouts
// (character devices 0/0) become ".wh.<name>" entries and opaque directories get a
// ".wh..wh..opq" entry, as the OCI image spec's changeset format says; overlay's own
// trusted.* xattrs stay behind. A file's capabilities (security.capability) go with it
// as the PAX record SCHILY.xattr.security.capability, as Docker writes them. Hard links
// inside the layer stay hard links.
import { closeSync, constants, fstatSync, openSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { WHITEOUT_OPAQUE, WHITEOUT_PREFIX } from './tar-names.js';
import { TarWriter, type TarHeader } from './tar-writer.js';
import { isOpaque, isRealDir, isWhiteout, upperXattrs, walkUpper, type UpperEntry } from './upper-tree.js';

const CAPABILITY = 'security.capability';

export interface LayerTar {
  stream: Readable;
  /** Settles when every entry is written (rejects on a read error; the stream is destroyed). */
  done: Promise<void>;
  /** Bytes of regular-file content written so far (hard links count once): the layer's size once `done`. */
  size(): number;
}

/**
 * Starts writing the layer; read `stream` to drive it. With `lowerDirs` (the image's
 * layers, top first), only a directory the image has too gets an opaque marker (elsewhere
 * it hides nothing).
 */
export function upperLayerTar(upper: string, opts: { exclude?: ReadonlySet<string>; lowerDirs?: string[] } = {}): LayerTar {
  const out = new TarWriter();
  const counter = { size: 0 };
  const done = writeLayer(upper, out, counter, opts).then(
    () => out.finish(),
    (err: unknown) => {
      out.destroy(err as Error);
      throw err;
    },
  );
  done.catch(() => undefined); // reported through the stream too
  return { stream: out.stream, done, size: () => counter.size };
}

interface EntryContext {
  opaque: boolean;
  /** The file's capabilities (raw security.capability), if it has any. */
  capability?: Buffer;
  links: Map<string, string>;
  counter: { size: number };
}

async function writeLayer(upper: string, out: TarWriter, counter: { size: number }, opts: { exclude?: ReadonlySet<string>; lowerDirs?: string[] }): Promise<void> {
  const { exclude, lowerDirs } = opts;
  // An upper dir with nothing to commit (`RUN true`, a container that changed nothing) is
  // common in builds: one readdir spares it the getfattr spawn.
  const top = await fs.readdir(upper);
  const xattrs = top.some((name) => !exclude?.has(`/${name}`)) ? await upperXattrs(upper) : new Map<string, Map<string, Buffer>>();
  const links = new Map<string, string>();
  await walkUpper(upper, async (e) => {
    const attrs = xattrs.get(e.path);
    const opaque = isOpaque(attrs) && (!lowerDirs || lowerDirs.some((lower) => isRealDir(lower, e.path)));
    await addEntry(out, e, { opaque, capability: attrs?.get(CAPABILITY), links, counter });
  }, { exclude });
}

function entryName(p: string): string {
  return p.replace(/^\//, '');
}

async function addEntry(out: TarWriter, e: UpperEntry, ctx: EntryContext): Promise<void> {
  const { st } = e;
  const name = entryName(e.path);
  const base = { uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), mode: st.mode & 0o7777 };
  if (isWhiteout(st)) {
    const wh = path.posix.join(path.posix.dirname(name), WHITEOUT_PREFIX + path.posix.basename(name));
    await out.entry({ ...base, name: wh, type: 'file', size: 0, mode: 0o600 });
    return;
  }
  if (st.isDirectory()) {
    await out.entry({ ...base, name, type: 'directory' });
    if (ctx.opaque) await out.entry({ ...base, name: path.posix.join(name, WHITEOUT_OPAQUE), type: 'file', size: 0, mode: 0o600 });
    return;
  }
  if (st.isSymbolicLink()) {
    await out.entry({ ...base, name, type: 'symlink', linkname: await fs.readlink(e.hostPath) });
    return;
  }
  if (st.isFile()) {
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = ctx.links.get(key);
      if (first !== undefined) {
        await out.entry({ ...base, name, type: 'link', linkname: first });
        return;
      }
      ctx.links.set(key, name);
    }
    const xattrs = ctx.capability ? new Map([[CAPABILITY, ctx.capability]]) : undefined;
    ctx.counter.size += await putFile(out, e, { ...base, name, type: 'file', xattrs });
    return;
  }
  if (st.isFIFO()) await out.entry({ ...base, name, type: 'fifo' });
  else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const major = Math.floor(st.rdev / 256) & 0xfff;
    const minor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
    await out.entry({ ...base, name, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
  }
  // sockets are not archived (as Docker)
}

/**
 * A regular file's entry, from an fd opened without following a symlink. Opening an
 * existing file, fstat and close are a few µs each: synchronous calls cost the main thread
 * less than thread-pool round trips (the reads: TarWriter.fileFromFd). The size is the one fstat saw: a file that shrinks meanwhile fails the commit,
 * one that grows is cut at that size. Returns the bytes written.
 */
async function putFile(out: TarWriter, e: UpperEntry, header: TarHeader): Promise<number> {
  const fd = openSync(e.hostPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const size = fstatSync(fd).size;
    await out.fileFromFd({ ...header, size }, fd);
    return size;
  } finally {
    closeSync(fd);
  }
}
