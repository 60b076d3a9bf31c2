// Reading an overlay upper dir (a container's rw layer) for `diff` and `commit`: a
// pre-order walk in name order, every directory opened O_NOFOLLOW and read through its fd
// (a running container can swap a directory for a symlink; we must not follow it onto the
// host), plus the xattrs a layer keeps (overlay's opaque marker, file capabilities), read
// by getfattr.
import { execFile } from 'node:child_process';
import { constants, lstatSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode, Internal } from '../errdefs/index.js';

export interface UpperEntry {
  /** Container path: "/etc/passwd". */
  path: string;
  st: Stats;
  /** Host path that reaches the entry without following anything: /proc/self/fd/<dir fd>/<name>. */
  hostPath: string;
}

/** Overlay's whiteout: a character device 0/0 standing for a deleted lower entry. */
export function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/**
 * Calls `visit` for every entry below `top` (not `top` itself), parents before children,
 * names in byte order. `visit` may return false to skip a directory's children; paths in
 * `exclude` are skipped with everything below them.
 * Directory fds stay open only while their subtree is visited.
 */
export async function walkUpper(top: string, visit: (e: UpperEntry) => Promise<boolean | void>, opts: { exclude?: ReadonlySet<string> } = {}): Promise<void> {
  const fh = await fs.open(top, DIR_FLAGS);
  const exclude = opts.exclude;
  try {
    await walkDir(`/proc/self/fd/${fh.fd}`, '/', exclude ? (e) => (exclude.has(e.path) ? Promise.resolve(false) : visit(e)) : visit);
  } finally {
    await fh.close();
  }
}

async function walkDir(dirHost: string, dirPath: string, visit: (e: UpperEntry) => Promise<boolean | void>): Promise<void> {
  const names = (await fs.readdir(dirHost)).sort(byteOrder);
  for (const name of names) {
    const hostPath = `${dirHost}/${name}`;
    let st: Stats;
    try {
      st = lstatSync(hostPath); // a few µs: cheaper for the main thread than a thread-pool round trip

    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // gone meanwhile (a running container)
      throw err;
    }
    const entry = { path: path.posix.join(dirPath, name), st, hostPath };
    const descend = (await visit(entry)) !== false;
    if (!st.isDirectory() || !descend) continue;
    let child;
    try {
      child = await fs.open(hostPath, DIR_FLAGS);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') continue;
      throw err;
    }
    try {
      await walkDir(`/proc/self/fd/${child.fd}`, entry.path, visit);
    } finally {
      await child.close();
    }
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** An upper dir's xattrs that matter to a layer, by container path ("/usr/bin/ping"). */
export type UpperXattrs = Map<string, Map<string, Buffer>>;

/**
 * Overlay's opaque marker and file capabilities (the xattrs a layer keeps: Docker writes a
 * capability as the PAX record SCHILY.xattr.security.capability), for the whole upper dir.
 * Node cannot read xattrs, so one getfattr walks the tree in its own process (-P: never
 * following a symlink) while our main thread waits idle: a spawn is ~2–5 ms of main thread,
 * and getfattr reads 1,000 files' xattrs in ~5 ms. Entries without either attribute print
 * nothing. A capability can be on any file: set in the container (CAP_SETFCAP is a default
 * capability) or copied up with a file of the image, so there is no cheaper way to know.
 */
export async function upperXattrs(top: string): Promise<UpperXattrs> {
  const text = await getfattr(['-R', '-P', '--absolute-names', '-d', '-m', '^(trusted\\.overlay\\.opaque|security\\.capability)$', '-e', 'hex', top]);
  return byContainerPath(top, parseGetfattr(text));
}

/**
 * Which of `candidates` (container paths of directories) are opaque
 * (trusted.overlay.opaque=y). `docker diff` asks only about upper directories that are
 * directories in a lower layer too (elsewhere "opaque" hides nothing): none, no spawn.
 */
export async function opaqueDirs(top: string, candidates: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  // In batches: a big diff (a `chown -R /usr`) names more directories than one command line holds.
  for (let i = 0; i < candidates.length; i += GETFATTR_BATCH) {
    const batch = candidates.slice(i, i + GETFATTR_BATCH).map((p) => path.join(top, p));
    // -h: the named directories themselves, never a symlink's target.
    const text = await getfattr(['-h', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '-e', 'hex', '--', ...batch]);
    for (const [p, attrs] of byContainerPath(top, parseGetfattr(text))) if (isOpaque(attrs)) out.add(p);
  }
  return out;
}

/** Paths per getfattr command line: well under ARG_MAX (2 MiB here) for paths up to 1 KiB. */
const GETFATTR_BATCH = 1000;

export function isOpaque(attrs: Map<string, Buffer> | undefined): boolean {
  const v = attrs?.get('trusted.overlay.opaque');
  return v !== undefined && v.length === 1 && v[0] === 0x79; // "y"
}

function getfattr(args: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    execFile('getfattr', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      // A non-zero exit is a file a running container removed meanwhile: what was printed
      // stands. Without getfattr at all, opaque directories would silently come out as
      // plain ones (deleted lower content back in a commit): that is an error.
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Internal(`reading the container's overlay attributes: getfattr (Debian package attr) could not run: ${err.message}`));
      } else resolve(stdout ?? '');
    });
  });
}

/** getfattr -d -e hex output: "# file: <path>" then "name=0x<hex>" lines. */
function parseGetfattr(text: string): Map<string, Map<string, Buffer>> {
  const out = new Map<string, Map<string, Buffer>>();
  let attrs: Map<string, Buffer> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) {
      attrs = new Map();
      out.set(unescapeGetfattr(line.slice('# file: '.length)), attrs);
      continue;
    }
    const eq = line.indexOf('=0x');
    if (attrs && eq > 0) attrs.set(line.slice(0, eq), Buffer.from(line.slice(eq + 3), 'hex'));
  }
  return out;
}

function byContainerPath(top: string, byFile: Map<string, Map<string, Buffer>>): UpperXattrs {
  const out: UpperXattrs = new Map();
  for (const [file, attrs] of byFile) {
    const rel = path.posix.relative(top, file);
    if (rel && !rel.startsWith('..') && attrs.size > 0) out.set(`/${rel}`, attrs);
  }
  return out;
}

/** Whether `rel` is a directory in `lower`, every component a real directory (no symlink followed). */
export function isRealDir(lower: string, rel: string): boolean {
  let p = lower;
  for (const part of rel.split('/')) {
    p = path.join(p, part);
    try {
      if (!lstatSync(p).isDirectory()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** getfattr prints unusual bytes of names as \ooo octal escapes. */
function unescapeGetfattr(s: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 3 < raw.length + 0 && /^[0-7]{3}$/.test(raw.subarray(i + 1, i + 4).toString())) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 4).toString(), 8));
      i += 3;
    } else {
      bytes.push(raw[i]!);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
