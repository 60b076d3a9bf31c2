// A container's upper dir (overlayfs) as an OCI layer tar: what RUN commits. Overlay marks
// a deleted file with a 0/0 character device and a directory whose lower contents are
// hidden with the xattr trusted.overlay.opaque=y; the OCI format says `.wh.<name>` and
// `.wh..wh..opq` instead. Entries are written in sorted order; hard links within the
// layer stay hard links. (The `cp`/`commit` work may grow its own copy of this; the two
// should become one shared module in src/image/ at merge.)
import { execFile } from 'node:child_process';
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import tar from 'tar-stream';

const run = promisify(execFile);

export interface DiffOptions {
  /** Entries (layer-relative, "etc/hosts") left out of the layer. */
  skip?: (rel: string, st: Stats) => boolean;
}

/** Directories of `upper` marked opaque, as layer-relative paths. */
async function opaqueDirs(upper: string): Promise<Set<string>> {
  const out = new Set<string>();
  let text = '';
  try {
    ({ stdout: text } = await run('getfattr', ['-R', '--absolute-names', '-m', '^trusted\\.overlay\\.opaque$', '-d', upper], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    text = (err as { stdout?: string }).stdout ?? '';
  }
  let current = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) current = line.slice(8);
    else if (/^trusted\.overlay\.opaque="y"/.test(line) && current) out.add(path.relative(upper, current));
  }
  return out;
}

/** The tar of `upper`'s changes; the stream errors if reading fails. */
export function diffTar(upper: string, o: DiffOptions = {}): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  void (async () => {
    const opaque = await opaqueDirs(upper);
    const links = new Map<string, string>();
    const walk = async (rel: string): Promise<void> => {
      const names = (await fs.readdir(path.join(upper, rel))).sort();
      for (const name of names) {
        const r = rel ? `${rel}/${name}` : name;
        const host = path.join(upper, r);
        const st = await fs.lstat(host);
        if (o.skip?.(r, st)) continue;
        const base = { name: r, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
        if (st.isCharacterDevice() && st.rdev === 0) {
          await entry(pack, { ...base, name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'file', size: 0, mode: 0 });
        } else if (st.isDirectory()) {
          await entry(pack, { ...base, name: `${r}/`, type: 'directory' });
          if (opaque.has(r)) await entry(pack, { ...base, name: `${r}/.wh..wh..opq`, type: 'file', size: 0, mode: 0 });
          await walk(r);
        } else if (st.isSymbolicLink()) {
          await entry(pack, { ...base, type: 'symlink', linkname: await fs.readlink(host) });
        } else if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const first = st.nlink > 1 ? links.get(key) : undefined;
          if (first !== undefined) {
            await entry(pack, { ...base, type: 'link', linkname: first, size: 0 });
            continue;
          }
          if (st.nlink > 1) links.set(key, r);
          await new Promise<void>((resolve, reject) => {
            const w = pack.entry({ ...base, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
            pipeline(createReadStream(host), w).catch(reject);
          });
        } else if (st.isFIFO()) {
          await entry(pack, { ...base, type: 'fifo' });
        }
        // Sockets and device nodes are not carried in layers (the unpacker refuses devices).
      }
    };
    await walk('');
    pack.finalize();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/** A body-less entry; an empty file gets an empty buffer, else tar-stream waits for its body. */
function entry(pack: tar.Pack, header: Parameters<tar.Pack["entry"]>[0]): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}
