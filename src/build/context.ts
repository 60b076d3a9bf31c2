// The build context: the tar the client sends (plain or compressed), unpacked with the
// image store's hostile-tar-safe unpacker into a private temp dir below the data root,
// plus the Dockerfile and the .dockerignore rules read from it. `close` removes it all.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { InvalidArgument, NotFound, errnoCode } from '../errdefs/index.js';
import { decompressStream } from '../image/decompress.js';
import { unpackTar } from '../image/unpack.js';
import { IgnoreMatcher, cleanPath } from './dockerignore.js';
import { resolveInRoot } from './image-root.js';

export interface BuildContext {
  /** Host path of the unpacked context. */
  dir: string;
  dockerfile: { name: string; text: string };
  ignore: IgnoreMatcher;
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
    await unpackTar(stream.pipe(padded()), dir);
    const name = cleanPath(o.dockerfile || 'Dockerfile');
    const text = await readInContext(dir, name, `Cannot locate specified Dockerfile: ${o.dockerfile || 'Dockerfile'}`);
    // BuildKit's rule: <Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore.
    const ignoreText =
      (await readInContext(dir, `${name}.dockerignore`).catch(() => undefined)) ??
      (await readInContext(dir, '.dockerignore').catch(() => ''));
    return { dir, dockerfile: { name, text }, ignore: IgnoreMatcher.parse(ignoreText), close };
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
    const st = await fs.stat(host);
    if (!st.isFile()) throw new InvalidArgument(missing);
    return await fs.readFile(host, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw new NotFound(missing);
    throw err;
  }
}
