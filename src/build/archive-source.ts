// ADD's local archives, as Docker 20.10's classic builder treats them (builder/dockerfile/
// copy.go: isArchivePath, then UntarPath). A source is unpacked only if, once decompressed,
// it starts with a valid tar header; anything else (a .tar.gz whose gzip data is garbage, a
// .tar.zst) is copied as a plain file. A source that passes that check but fails later
// (a truncated archive) fails the step with the unpack's own error:
//   failed to copy files: Error processing tar file(exit status 1): unexpected EOF
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidArgument } from '../errdefs/index.js';
import { decompressStream, detectCompression, type Compression } from '../image/decompress.js';
import { unpackTar } from '../image/unpack.js';

/**
 * Compressions ADD decompresses. Docker 20.10's pkg/archive DetectCompression knows no
 * zstd (23.0 added it): its ADD copies a .tar.zst as a file, checked against the reference
 * daemon. Add 'zstd' here when the reference moves past 23.0.
 */
const ADD_DECOMPRESSES: ReadonlySet<Compression> = new Set(['none', 'gzip', 'bzip2', 'xz']);

const BLOCK = 512;

/** Opens the source decompressed, or undefined if ADD would not decompress it. */
async function openDecompressed(host: string): Promise<Readable | undefined> {
  // The magic bytes first: a compression ADD leaves alone starts no decompressor.
  if (!ADD_DECOMPRESSES.has(detectCompression(await readFileHead(host, MAGIC_BYTES)))) return undefined;
  return (await decompressStream(createReadStream(host))).stream;
}

/** Enough for every magic number detectCompression knows. */
const MAGIC_BYTES = 16;

async function readFileHead(host: string, n: number): Promise<Buffer> {
  const fh = await open(host, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(n), 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Docker's isArchivePath: the decompressed bytes start with a tar header Go's reader accepts. */
export async function isArchive(host: string): Promise<boolean> {
  let stream: Readable | undefined;
  try {
    stream = await openDecompressed(host);
    if (!stream) return false;
    return isTarHeader(await readHead(stream, BLOCK));
  } catch {
    // Unreadable or undecompressable: Docker copies such a source as it is.
    return false;
  } finally {
    stream?.destroy();
  }
}

/** Unpacks the archive at `host` into the existing, empty `dir`, in one pass. */
export async function unpackArchive(host: string, dir: string): Promise<void> {
  const stream = await openDecompressed(host);
  if (!stream) throw new InvalidArgument(`${host}: not an archive ADD unpacks`);
  // A decompressor's error reaches the unpacker only as "destroyed": keep the real one.
  let sourceError: Error | undefined;
  stream.once('error', (err) => (sourceError ??= err));
  try {
    await unpackTar(stream, dir);
  } catch (err) {
    const real = sourceError ?? (err as Error);
    throw new InvalidArgument(`failed to copy files: Error processing tar file(exit status 1): ${goMessage(real)}`, { cause: real });
  } finally {
    stream.destroy();
  }
}

/** Go's word for input that ends early, which is what users search for; others as they are. */
function goMessage(err: Error): string {
  const m = err.message;
  if (/unexpected end of (data|file)/i.test(m) || (err as { code?: string }).code === 'Z_BUF_ERROR') return 'unexpected EOF';
  return m;
}

async function readHead(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    have += (chunk as Buffer).length;
    if (have >= n) break;
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/**
 * A full 512-byte block whose checksum matches, unsigned or signed (Go's archive/tar
 * accepts both; a block that fails is "invalid tar header", an all-zero one is the end).
 */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < BLOCK) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (!/^[0-7]+$/.test(field)) return false;
  const want = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}
