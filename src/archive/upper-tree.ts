// Reading an overlay upper dir (a container's rw layer) for `diff` and `commit`: a
// pre-order walk in name order, every directory opened O_NOFOLLOW and read through its fd
// (a running container can swap a directory for a symlink; we must not follow it onto the
// host), plus the xattrs overlay keeps there, read by one getfattr for the whole tree.
import { execFile } from 'node:child_process';
import { constants, lstatSync, promises as fs, readdirSync, type Stats } from 'node:fs';
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

/**
 * Container paths of the opaque directories in an upper dir (trusted.overlay.opaque=y).
 * Node cannot read xattrs, so getfattr does, and spawning it costs tens of ms: given the
 * image's `lowerDirs`, only upper directories that are directories in some lower too are
 * asked about (elsewhere "opaque" hides nothing, and the layer needs no marker), and with
 * none, nothing is spawned. Without `lowerDirs`, getfattr walks the whole upper dir.
 */
export async function opaqueDirs(top: string, opts: { lowerDirs?: string[] } = {}): Promise<Set<string>> {
  let args: string[];
  if (opts.lowerDirs) {
    const candidates = upperDirs(top).filter((rel) => opts.lowerDirs!.some((lower) => isRealDir(lower, rel)));
    if (candidates.length === 0) return new Set();
    // -h: the named directories themselves, never a symlink's target.
    args = ['-h', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '-e', 'hex', '--', ...candidates.map((rel) => path.join(top, rel))];
  } else {
    // -P: never follow symlinks while walking; entries without the attribute print nothing.
    args = ['-R', '-P', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '-e', 'hex', top];
  }
  const out = new Set<string>();
  const text = await new Promise<string>((resolve, reject) => {
    execFile('getfattr', args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      // A non-zero exit is a file a running container removed meanwhile: what was printed
      // stands. Without getfattr at all, opaque directories would silently come out as
      // plain ones (deleted lower content back in a commit): that is an error.
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Internal(`reading the container's overlay attributes: getfattr (Debian package attr) could not run: ${err.message}`));
      } else resolve(stdout ?? '');
    });
  });
  let file: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeGetfattr(line.slice('# file: '.length));
    else if (file !== undefined && line.startsWith('trusted.overlay.opaque=') && line.slice('trusted.overlay.opaque='.length) === '0x79') {
      const rel = path.posix.relative(top, file);
      if (rel && !rel.startsWith('..')) out.add(`/${rel}`);
    }
  }
  return out;
}

/** Relative paths of the directories below `top` (not following symlinks). */
function upperDirs(top: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(top, rel), { withFileTypes: true });
    } catch {
      return; // gone or swapped meanwhile (a running container)
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      out.push(child);
      walk(child);
    }
  };
  walk('');
  return out;
}

/** Whether `rel` is a directory in `lower`, every component a real directory (no symlink followed). */
function isRealDir(lower: string, rel: string): boolean {
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
