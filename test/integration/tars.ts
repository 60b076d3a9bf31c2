// Small tar builders for the image tests: hostile rootfs tars for import, and archive
// inspection for save/export output.
import tar from 'tar-stream';
import { Readable } from 'node:stream';

export type Entry = Partial<tar.Header> & { name: string; body?: string | Buffer };

/** Builds a tar in memory from the given headers (and bodies) in order. */
export async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((resolve, reject) =>
      body === undefined ? pack.entry(h, (err) => (err ? reject(err) : resolve())) : pack.entry(h, body, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** The entries of a tar: name → body (empty for non-files). */
export async function readTar(buf: Buffer): Promise<Map<string, { type: string; body: Buffer }>> {
  const out = new Map<string, { type: string; body: Buffer }>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', () => resolve());
    extract.on('error', reject);
  });
  extract.on('entry', (header, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      out.set(header.name, { type: header.type ?? 'file', body: Buffer.concat(parts) });
      next();
    });
  });
  Readable.from([buf]).pipe(extract);
  await done;
  return out;
}
