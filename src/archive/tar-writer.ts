// A tar writer that fills big buffers ("slabs") instead of pushing each header, body and
// padding as its own chunk, as tar-stream's pack does: a file's bytes are read straight into
// the slab after its header, so a 100 KB file costs one read and no copy, and whoever
// consumes the stream (a blob file, an HTTP response) sees ~1 MB writes, not three small
// ones per entry (each a thread-pool round trip for a file). node-tar's Header encodes each
// ustar header in place in the slab (octal fields, base-256 for numbers too big for them, the
// GNU extension that GNU tar, Go's archive/tar and tar-stream read) and its Pax the pax
// extended header for long or non-ASCII names; tar-stream exports no header encoder.
import { read as readAsync, readSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Header, type HeaderData } from 'tar/header';
import { Pax } from 'tar/pax';
import { Conflict, Internal } from '../errdefs/index.js';

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
  /** Extended attributes, written as PAX records "SCHILY.xattr.<name>" (raw values), as Go's archive/tar does. */
  xattrs?: ReadonlyMap<string, Buffer>;
}

/** Reads up to `length` bytes of the file at `position` into `buf` at `offset`; returns the count. */
export type ReadInto = (buf: Buffer, offset: number, length: number, position: number) => number | Promise<number>;

const BLOCK = 512;
const SLAB = 1024 * 1024;
/** Files up to this size are read synchronously (see fileFromFd). */
const SYNC_READ_MAX = 4 * 1024 * 1024;
const TYPE: Record<TarEntryType, NonNullable<HeaderData['type']>> = {
  file: 'File',
  link: 'Link',
  symlink: 'SymbolicLink',
  'character-device': 'CharacterDevice',
  'block-device': 'BlockDevice',
  directory: 'Directory',
  fifo: 'FIFO',
};
/** Largest values the 8- and 12-byte octal fields hold; past them the pax header carries the number. */
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
      if (n <= 0) throw new Conflict(`${h.name} changed while being archived: it shrank while being read`);
      this.used += n;
      pos += n;
    }
    const pad = padOf(size);
    if (pad) this.zeros(pad);
  }

  /**
   * A regular file's bytes from an open fd. A small one is read synchronously: from the page
   * cache that costs the main thread less than thread-pool round trips. A big one goes
   * through the thread pool, so a cold read of it never stalls the daemon.
   */
  fileFromFd(h: TarHeader & { size: number }, fd: number): Promise<void> {
    if (h.size <= SYNC_READ_MAX) return this.file(h, (buf, off, len, pos) => readSync(fd, buf, off, len, pos));
    return this.file(h, (buf, off, len, pos) => new Promise((resolve, reject) => readAsync(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n)))));
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
    await this.room(BLOCK);
    const header = toHeader(h);
    const needFields = this.encodeAt(header);
    if (!needFields && !h.xattrs?.size) {
      this.used += BLOCK;
      return;
    }
    // Rare (long or non-ASCII names, huge ids, xattrs): the pax header goes first, then the
    // same header again after it; its ustar fields keep truncated values for old readers.
    const pax = paxHeader(header, { fields: needFields, xattrs: h.xattrs });
    await this.room(pax.length + BLOCK);
    pax.copy(this.slab, this.used);
    this.used += pax.length;
    this.encodeAt(header);
    this.used += BLOCK;
  }

  /** Encodes a ustar header at the current position; true if it needs a pax header before it. */
  private encodeAt(header: Header): boolean {
    // Header.encode leaves fields it has no value for (uname, gname) as they were.
    this.slab.fill(0, this.used, this.used + BLOCK);
    const needPax = header.encode(this.slab, this.used);
    // A 100-byte name without a slash fits the name field, but node-tar splits it as
    // prefix "." + name, which readers join to "./name": let the pax path say the name.
    const dotPrefix = this.slab[this.used + 345] === 0x2e && this.slab[this.used + 346] === 0;
    return needPax || dotPrefix;
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
    if (this.closed) throw new Internal('the archive was closed while being written');
    const full = this.slab.subarray(0, this.used);
    this.slab = Buffer.allocUnsafe(next);
    this.used = 0;
    if (full.length > 0 && !this.stream.push(full)) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      if (this.closed) throw new Internal('the archive was closed while being written');
    }
  }

  private resume(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

function toHeader(h: TarHeader): Header {
  const header = new Header();
  header.path = h.type === 'directory' && !h.name.endsWith('/') ? `${h.name}/` : h.name;
  header.type = TYPE[h.type];
  header.mode = h.mode & 0o7777;
  header.uid = h.uid;
  header.gid = h.gid;
  header.size = h.size ?? 0;
  // Whole seconds: node-tar's base-256 encoder refuses fractions.
  header.mtime = new Date(Math.floor(h.mtime) * 1000);
  if (h.linkname) header.linkpath = h.linkname;
  header.devmaj = h.devmajor ?? 0;
  header.devmin = h.devminor ?? 0;
  return header;
}

/** The pax records: the names (node-tar does not say which field overflowed) and any number too big for octal. */
function paxFields(header: Header): HeaderData {
  const big = (v: number | undefined, max: number): number | undefined => (v !== undefined && v > max ? v : undefined);
  return {
    path: header.path,
    linkpath: header.linkpath,
    uid: big(header.uid, OCT7),
    gid: big(header.gid, OCT7),
    size: big(header.size, OCT11),
    mtime: header.mtime,
  };
}

/**
 * A pax extended header (its ustar block and the padded body) for the entry `header`:
 * node-tar's records when the entry needs them, then one per xattr. Only what is needed,
 * as Go's archive/tar writes: an entry with just a capability gets just that record.
 */
function paxHeader(header: Header, opts: { fields: boolean; xattrs?: ReadonlyMap<string, Buffer> }): Buffer {
  const parts: Buffer[] = [];
  if (opts.fields) parts.push(Buffer.from(new Pax(paxFields(header)).encodeBody(), 'utf8'));
  for (const [name, value] of opts.xattrs ?? []) parts.push(paxRecord(`SCHILY.xattr.${name}`, value));
  const body = Buffer.concat(parts);
  const out = Buffer.alloc(BLOCK + BLOCK * Math.ceil(body.length / BLOCK));
  new Header({
    path: `PaxHeader/${path.posix.basename(header.path ?? '')}`.slice(0, 99),
    mode: 0o644,
    uid: header.uid,
    gid: header.gid,
    size: body.length,
    mtime: header.mtime,
    type: 'ExtendedHeader',
    linkpath: '',
    uname: '',
    gname: '',
    devmaj: 0,
    devmin: 0,
  }).encode(out, 0);
  body.copy(out, BLOCK);
  return out;
}

/** "<length> <key>=<value>\n", the length counting the whole record, its own digits too. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(` ${key}=`) + value.length + 1;
  let len = rest + String(rest).length;
  if (String(len).length > String(rest).length) len = rest + String(len).length;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from('\n')]);
}
