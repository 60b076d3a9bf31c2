// Reading an overlay upper dir (a container's rw layer) for `diff` and `commit`: a
// pre-order walk in name order, every directory opened O_NOFOLLOW and read through its fd
// (a running container can swap a directory for a symlink; we must not follow it onto the
// host), plus the xattrs overlay keeps there, read by one getfattr for the whole tree.
import { execFile } from 'node:child_process';
import { constants, lstatSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errdefs/index.js';

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

/** Container paths of the opaque directories in an upper dir (trusted.overlay.opaque=y). */
export async function opaqueDirs(top: string): Promise<Set<string>> {
  const out = new Set<string>();
  const text = await new Promise<string>((resolve) => {
    // -P: never follow symlinks while walking; entries without the attribute print nothing.
    execFile('getfattr', ['-R', '-P', '--absolute-names', '-d', '-m', '^trusted\\.overlay\\.opaque$', '-e', 'hex', top], { maxBuffer: 256 * 1024 * 1024 }, (_err, stdout) =>
      resolve(stdout ?? ''),
    );
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
