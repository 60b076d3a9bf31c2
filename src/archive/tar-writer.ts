// A tar writer that fills big buffers ("slabs") instead of pushing each header, body and
// padding as its own chunk, as tar-stream's pack does: a file's bytes are read straight into
// the slab after its header, so a 100 KB file costs one read and no copy, and whoever
// consumes the stream (a blob file, an HTTP response) sees ~1 MB writes, not three small
// ones per entry (each a thread-pool round trip for a file). Headers are POSIX ustar, with a
// pax extended header for long or non-ASCII names; numbers too big for their octal field
// are written base-256 (the GNU extension that GNU tar, Go's archive/tar and tar-stream
// read; tar-stream ignores pax uid/gid records).
import { Readable } from 'node:stream';

export type TarEntryType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Body bytes: files only. */
  size?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

/** Reads up to `length` bytes of the file at `position` into `buf` at `offset`; returns the count. */
export type ReadInto = (buf: Buffer, offset: number, length: number, position: number) => number | Promise<number>;

const BLOCK = 512;
const SLAB = 1024 * 1024;
const TYPEFLAG: Record<TarEntryType, number> = { file: 0x30, link: 0x31, symlink: 0x32, 'character-device': 0x33, 'block-device': 0x34, directory: 0x35, fifo: 0x36 };
/** Largest value a 7-digit octal field (8 bytes with its NUL) holds. */
const OCT7 = 0o7777777;
const OCT11 = 0o77777777777;

function padOf(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

export class TarWriter {
  /** The tar bytes; the writer waits while nobody reads. */
  readonly stream: Readable;
  private slab = Buffer.allocUnsafe(SLAB);
  private used = 0;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor() {
    this.stream = new Readable({
      highWaterMark: 4 * SLAB,
      read: () => this.resume(),
    });
    this.stream.once('close', () => {
      this.closed = true;
      this.resume();
    });
  }

  /** A header-only entry (directory, link, device, fifo, or an empty file). */
  async entry(h: TarHeader): Promise<void> {
    await this.writeHeader({ ...h, size: h.type === 'file' ? (h.size ?? 0) : 0 });
  }

  /** A regular file of `size` bytes read through `read`; fails if the file comes up short. */
  async file(h: TarHeader & { size: number }, read: ReadInto): Promise<void> {
    const { size } = h;
    await this.writeHeader(h);
    let pos = 0;
    while (pos < size) {
      const want = Math.min(size - pos, SLAB);
      if (this.slab.length - this.used < want) await this.flush(Math.max(SLAB, want + BLOCK));
      const n = await read(this.slab, this.used, want, pos);
      if (n <= 0) throw new Error(`${h.name} shrank while being read`);
      this.used += n;
      pos += n;
    }
    const pad = padOf(size);
    if (pad) this.zeros(pad);
  }

  /** Ends the archive (two zero blocks) and the stream. */
  async finish(): Promise<void> {
    this.zeros(2 * BLOCK);
    await this.flush(0);
    this.stream.push(null);
  }

  destroy(err: Error): void {
    this.stream.destroy(err);
  }

  private async writeHeader(h: TarHeader): Promise<void> {
    const pax = paxRecords(h);
    if (pax) {
      const body = Buffer.from(pax, 'utf8');
      this.headerBlock({ name: 'PaxHeader', type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: h.mtime, size: body.length }, 0x78);
      await this.room(body.length + padOf(body.length));
      body.copy(this.slab, this.used);
      this.used += body.length;
      this.zeros(padOf(body.length));
    }
    await this.room(BLOCK);
    this.headerBlock(h, TYPEFLAG[h.type]);
  }

  /** Encodes a ustar header at the current position; fields that overflow were put in pax. */
  private headerBlock(h: TarHeader, typeflag: number): void {
    if (this.slab.length - this.used < BLOCK) throw new Error('tar writer: no room for a header');
    const b = this.slab.subarray(this.used, this.used + BLOCK);
    b.fill(0);
    const { name, prefix } = splitName(h.type === 'directory' && !h.name.endsWith('/') ? `${h.name}/` : h.name);
    b.write(name, 0, 100, 'utf8');
    octal(b, 100, 8, h.mode & 0o7777);
    numeric(b, 108, 8, h.uid);
    numeric(b, 116, 8, h.gid);
    numeric(b, 124, 12, h.size ?? 0);
    octal(b, 136, 12, Math.max(0, Math.min(OCT11, Math.floor(h.mtime))));
    b.fill(0x20, 148, 156); // checksum counted as spaces
    b[156] = typeflag;
    if (h.linkname && Buffer.byteLength(h.linkname) <= 100) b.write(h.linkname, 157, 100, 'utf8');
    b.write('ustar\x0000', 257, 8, 'latin1');
    octal(b, 329, 8, h.devmajor ?? 0);
    octal(b, 337, 8, h.devminor ?? 0);
    if (prefix) b.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += b[i]!;
    b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
    this.used += BLOCK;
  }

  private zeros(n: number): void {
    // Callers made room for their padding; the end blocks may need a new slab.
    if (this.slab.length - this.used < n) {
      const next = Buffer.allocUnsafe(Math.max(SLAB, n));
      this.stream.push(this.slab.subarray(0, this.used));
      this.slab = next;
      this.used = 0;
    }
    this.slab.fill(0, this.used, this.used + n);
    this.used += n;
  }

  /** Makes sure `n` more bytes fit in the current slab. */
  private async room(n: number): Promise<void> {
    if (this.slab.length - this.used < n) await this.flush(Math.max(SLAB, n));
  }

  /** Hands the filled part of the slab to the stream and starts one of `next` bytes. */
  private async flush(next: number): Promise<void> {
    if (this.closed) throw new Error('tar stream closed');
    const full = this.slab.subarray(0, this.used);
    this.slab = Buffer.allocUnsafe(next);
    this.used = 0;
    if (full.length > 0 && !this.stream.push(full)) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.closed) throw new Error('tar stream closed');
    }
  }

  private resume(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/** Octal when it fits in len-1 digits, else base-256: 0x80 then the value big-endian. */
function numeric(b: Buffer, off: number, len: number, v: number): void {
  if (v <= (len === 8 ? OCT7 : OCT11)) return octal(b, off, len, v);
  b[off] = 0x80;
  for (let i = off + len - 1, n = v; i > off; i--, n = Math.floor(n / 256)) b[i] = n % 256;
}

function octal(b: Buffer, off: number, len: number, v: number): void {
  b.write(`${v.toString(8).padStart(len - 1, '0')}\0`, off, len, 'latin1');
}

/** ustar name and prefix, or an empty name when the path needs pax (see paxRecords). */
function splitName(p: string): { name: string; prefix: string } {
  if (!needsPaxPath(p)) {
    if (p.length <= 100) return { name: p, prefix: '' };
    const cut = p.lastIndexOf('/', p.length - 2 > 155 ? 155 : p.length - 2);
    return { name: p.slice(cut + 1), prefix: p.slice(0, cut) };
  }
  // The pax path wins; the ustar field keeps a truncated ASCII form for old readers.
  return { name: p.replace(/[^\x20-\x7e]/g, '_').slice(0, 99), prefix: '' };
}

function needsPaxPath(p: string): boolean {
  if (/[^\x20-\x7e]/.test(p)) return true;
  if (p.length <= 100) return false;
  // ustar: prefix (≤155) + "/" + name (≤100), split at a slash.
  const cut = p.lastIndexOf('/', p.length - 2 > 155 ? 155 : p.length - 2);
  return cut <= 0 || p.length - cut - 1 > 100;
}

function paxRecords(h: TarHeader): string | undefined {
  const recs: Array<[string, string]> = [];
  const name = h.type === 'directory' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  if (needsPaxPath(name)) recs.push(['path', name]);
  if (h.linkname && (Buffer.byteLength(h.linkname) > 100 || /[^\x20-\x7e]/.test(h.linkname))) recs.push(['linkpath', h.linkname]);
  if (recs.length === 0) return undefined;
  return recs.map(([k, v]) => paxRecord(k, v)).join('');
}

/** "<len> key=value\n", where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return `${len} ${key}=${value}\n`;
}
