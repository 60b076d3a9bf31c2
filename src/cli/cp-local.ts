// The client half of `docker cp` (moby/go-archive copy.go): what the source and the
// destination are, which directory the archive is extracted into, and how its top entry
// is renamed so that "cp a b" means what it means to cp(1). Local tars are made and
// unpacked by GNU tar: names rebased with --transform, ownership not applied locally
// (Docker's NoLchown), symlinks kept as links.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { ExitError } from './context.js';

export interface CopyInfo {
  /** Path as the user meant it, absolute, with a trailing "/" or "/." kept. */
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the archive's top entry must get (after following a symlink with -L). */
  rebaseName?: string;
}

/** Docker's `:` rule: "ctr:path" names a container unless the arg is absolute or starts with ".". */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** filepath.Abs, keeping a trailing "/" or "/." (go-archive PreserveTrailingDotOrSeparator). */
export function absLocal(p: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, p);
  if (p.endsWith('/.') || p === '.') return abs === '/' ? '/.' : `${abs}/.`;
  if (p.endsWith('/') && abs !== '/') return `${abs}/`;
  return abs;
}

export function assertsDirectory(p: string): boolean {
  return p.endsWith('/') || p.endsWith('/.');
}

/** go-archive SplitPathDirEntry: ("/a/b/", "b"), ("/a/.", "."). */
export function splitPathDirEntry(p: string): { dir: string; base: string } {
  const cleaned = p.endsWith('/.') ? p : p.replace(/\/+$/, '') || '/';
  if (cleaned.endsWith('/.')) return { dir: cleaned.slice(0, -2) || '/', base: '.' };
  return { dir: path.posix.dirname(cleaned), base: path.posix.basename(cleaned) };
}

const ERR = {
  cannotCopyDir: 'cannot copy directory',
  dirNotExists: 'no such directory',
  notDirectory: 'not a directory',
};

/** Where an archive goes and how its top entry is renamed (go-archive PrepareArchiveCopy). */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): { dstDir: string; rebase?: { from: string; to: string } } {
  // The archive's top entry is named after src.path; it must end up as `to`.
  const top = splitPathDirEntry(src.path).base;
  const { dir: dstParent, base: dstBase } = splitPathDirEntry(dst.path);
  const rebaseOf = (to: string) => (top === to ? undefined : { from: top, to });
  if (dst.exists && dst.isDir) return { dstDir: dst.path, rebase: rebaseOf(src.rebaseName ?? top) };
  if (dst.exists) {
    if (src.isDir) throw new ExitError(1, ERR.cannotCopyDir);
    return { dstDir: dstParent, rebase: rebaseOf(dstBase) };
  }
  if (src.isDir) return { dstDir: dstParent, rebase: rebaseOf(dstBase) };
  if (assertsDirectory(dst.path)) throw new ExitError(1, ERR.dirNotExists);
  return { dstDir: dstParent, rebase: rebaseOf(dstBase) };
}

/** go-archive CopyInfoDestinationPath for a local destination (symlinks followed). */
export async function localDestination(p: string): Promise<CopyInfo> {
  let cur = p;
  for (let i = 0; i < 40; i++) {
    let st;
    try {
      st = await fs.lstat(cur);
    } catch {
      const { dir } = splitPathDirEntry(cur);
      let parent;
      try {
        parent = await fs.stat(dir);
      } catch (err) {
        throw new ExitError(1, `stat ${dir}: no such file or directory`, );
      }
      if (!parent.isDirectory()) throw new ExitError(1, ERR.notDirectory);
      return { path: cur, exists: false, isDir: false };
    }
    if (!st.isSymbolicLink()) return { path: cur, exists: true, isDir: st.isDirectory() };
    const target = await fs.readlink(cur);
    cur = path.resolve(splitPathDirEntry(cur).dir, target);
    if (assertsDirectory(p)) cur += '/';
  }
  throw new ExitError(1, `too many symlinks in ${p}`);
}

/** go-archive CopyInfoSourcePath for a local source. */
export async function localSource(p: string, followLink: boolean): Promise<CopyInfo> {
  let resolved = p;
  let rebaseName: string | undefined;
  if (followLink) {
    try {
      resolved = await fs.realpath(p);
      if (assertsDirectory(p)) resolved = `${resolved}${p.endsWith('/.') ? '/.' : '/'}`;
      const want = splitPathDirEntry(p).base;
      if (splitPathDirEntry(resolved).base !== want) rebaseName = want;
    } catch {
      // reported by the lstat below
    }
  }
  let st;
  try {
    st = await fs.lstat(resolved);
  } catch {
    throw new ExitError(1, `lstat ${p}: no such file or directory`);
  }
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

function escapeRegex(s: string): string {
  return s.replace(/[\\.*[\]^$,]/g, (c) => `\\${c}`);
}
function escapeReplacement(s: string): string {
  return s.replace(/[\\&,]/g, (c) => `\\${c}`);
}

/** GNU tar --transform renaming the top entry `from` (and everything below it) to `to`. */
function transformArgs(rebase?: { from: string; to: string }): string[] {
  if (!rebase) return [];
  return [`--transform=s,^${escapeRegex(rebase.from)}\\(/\\|$\\),${escapeReplacement(rebase.to)}\\1,S`];
}

/**
 * GNU tar as a child. Its output (when tar writes an archive) ends only once tar has exited 0:
 * a tar that fails halfway destroys it with tar's message, so an upload is aborted, not
 * finished with half a tree. Its input (when tar extracts) failing kills tar and fails `done`.
 */
function runTar(args: string[], io: { stdin?: Readable }): { stdout: Readable; done: Promise<void> } {
  const child = spawn('tar', args, { stdio: [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let inputError: Error | undefined;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  if (io.stdin) {
    // tar -x stops reading at the end-of-archive blocks; the record padding a daemon sends
    // after them then meets a closed pipe. tar's exit status is the verdict, not EPIPE.
    child.stdin!.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') child.kill();
    });
    io.stdin.on('error', (err) => {
      inputError = err;
      child.kill();
    });
    io.stdin.pipe(child.stdin!);
  }
  const stdout = new PassThrough();
  child.stdout!.pipe(stdout, { end: false });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => {
      stdout.destroy(err);
      reject(err);
    });
    child.on('close', (code) => {
      if (code === 0 && !inputError) {
        stdout.end();
        return resolve();
      }
      const err = new ExitError(1, inputError?.message ?? (stderr.trim() || `tar exited ${code}`));
      stdout.destroy(err);
      reject(err);
    });
  });
  done.catch(() => undefined); // also reported through the stream, or awaited by the caller
  return { stdout, done };
}

/** A tar of a local source, its top entry named as the copy needs (go-archive TarResource). */
export function tarLocal(src: CopyInfo, rebase?: { from: string; to: string }): { stream: Readable; done: Promise<void> } {
  const { dir, base } = splitPathDirEntry(src.path);
  const t = runTar(['-C', dir, '--numeric-owner', '--xattrs', '--xattrs-include=security.capability', ...transformArgs(rebase), '-cf', '-', '--', base], {});
  return { stream: t.stdout, done: t.done };
}

/** Unpacks an archive from the daemon into a local directory (NoLchown: files are the caller's). */
export async function untarLocal(content: Readable, dstDir: string, rebase?: { from: string; to: string }): Promise<void> {
  const t = runTar(['-C', dstDir, '-xf', '-', '--no-same-owner', ...transformArgs(rebase)], { stdin: content });
  t.stdout.on('error', () => undefined).resume(); // tar -x writes nothing; `done` has the verdict
  await t.done;
}
