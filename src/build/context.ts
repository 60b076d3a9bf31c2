// The build context: the tar the client sends (plain or compressed), read once into a
// ContextIndex (files spooled and hashed as they stream in), plus the Dockerfile and the
// .dockerignore rules read from it. Nothing is unpacked until a step needs files on disk
// (`materialize`), so a fully cached build costs one pass over the bytes. `close` removes it all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { InvalidArgument, NotFound, errnoCode } from '../errdefs/index.js';
import { decompressStream } from '../image/decompress.js';
import { ContextIndex } from './context-index.js';
import { IgnoreMatcher, cleanPath } from './dockerignore.js';
import { resolveInRoot } from './image-root.js';

export interface BuildContext {
  dockerfile: { name: string; text: string };
  ignore: IgnoreMatcher;
  /**
   * A digest of all a COPY/ADD of these context paths can read (the .dockerignore rules
   * included), or undefined when only unpacking and looking can tell (globs, links).
   */
  sourceDigest(srcs: string[]): string | undefined;
  /** Host dir with (at least) these context paths unpacked; all of the context when omitted. */
  materialize(srcs?: string[]): Promise<string>;
  /** sha256 hex of a file `materialize` unpacked, by host path (saves re-reading it). */
  digestOf(host: string): string | undefined;
  close(): Promise<void>;
}

/** Temp dirs of builds live here; the daemon's start-up sweep may clear it. */
export function buildTmpDir(root: string): string {
  return path.join(root, 'build', 'tmp');
}

export async function openContext(body: Readable, o: { root: string; dockerfile: string }): Promise<BuildContext> {
  await fs.mkdir(buildTmpDir(o.root), { recursive: true });
  const dir = await fs.mkdtemp(path.join(buildTmpDir(o.root), 'ctx-'));
  const close = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const { stream } = await decompressStream(body);
    const index = await ContextIndex.receive(stream.pipe(padded()), dir);
    const read = async (rel: string, missing?: string): Promise<string> => {
      // A link (rare) is followed on disk, inside the context, as before.
      if (index.isLink(rel)) return readInContext(await index.materialize(), rel, missing);
      const buf = await index.readFile(rel);
      if (buf === undefined) throw new NotFound(missing ?? `no such file: ${rel}`);
      return buf.toString('utf8');
    };
    const name = cleanPath(o.dockerfile || 'Dockerfile');
    const text = await read(name, `Cannot locate specified Dockerfile: ${o.dockerfile || 'Dockerfile'}`);
    // BuildKit's rule: <Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore.
    const ignoreText = (await read(`${name}.dockerignore`).catch(() => undefined)) ?? (await read('.dockerignore').catch(() => ''));
    const ignore = IgnoreMatcher.parse(ignoreText);
    return {
      dockerfile: { name, text },
      ignore,
      sourceDigest: (srcs) => index.sourceDigest(srcs, (rel) => rel !== '' && ignore.ignores(rel)),
      materialize: (srcs) => index.materialize(srcs),
      digestOf: (host) => index.digestOf(host),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The docker CLI's `-f -` context ends right after the last file's bytes, without the
 * block padding and end-of-archive blocks (Go's tar reader accepts that); zeros appended
 * complete such a tar and are ignored after a complete one.
 */
function padded(): Transform {
  let total = 0;
  return new Transform({
    transform: (chunk: Buffer, _enc, cb) => {
      total += chunk.length;
      cb(null, chunk);
    },
    flush: (cb) => cb(null, Buffer.alloc(((512 - (total % 512)) % 512) + 1024)),
  });
}

async function readInContext(dir: string, rel: string, missing = `no such file: ${rel}`): Promise<string> {
  try {
    const host = await resolveInRoot(dir, rel);
    if (host === undefined) throw new NotFound(missing);
    const st = await fs.stat(host);
    if (!st.isFile()) throw new InvalidArgument(missing);
    return await fs.readFile(host, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw new NotFound(missing);
    throw err;
  }
}
