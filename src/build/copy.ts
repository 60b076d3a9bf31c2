// COPY and ADD as a layer, built without a container: the sources are resolved (globs,
// .dockerignore, `--from`), planned as a list of entries with their final names, owners
// and modes, hashed for the cache key (content and metadata, never timestamps), and only
// on a cache miss written as a tar. Docker's destination rules: a destination ending in
// "/" or naming an existing directory receives sources by name; a directory source
// copies its contents; several sources need a directory destination.
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, openSync, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarWriter, type TarHeader } from '../archive/tar-writer.js';
import { InvalidArgument, NotFound } from '../errdefs/index.js';
import { isArchive } from './archive-source.js';
import { IgnoreMatcher, cleanPath, globToRegExp, hasGlob } from './dockerignore.js';
import { resolveInRoot, rootResolver, statOrUndefined, type ImageRoot } from './image-root.js';
import type { RemoteFile } from './remote.js';

export interface PlannedEntry {
  /** Path in the image, without the leading "/". */
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size: number;
  /** Where a file's bytes come from: a host path or a buffer (heredocs). */
  host?: string;
  content?: Buffer;
  linkname?: string;
}

/** Where sources are read from: the context (owned by root once copied) or an image's root. */
export interface CopySource {
  dir: string;
  /** Context sources: .dockerignore applies and owners become root. */
  context: boolean;
  ignore?: IgnoreMatcher;
}

export interface CopyRequest {
  cmd: 'COPY' | 'ADD';
  /** Expanded source paths, heredocs (name → content), or files ADD downloaded. */
  srcs: Array<string | { heredoc: string; content: string } | { remote: RemoteFile }>;
  /** Expanded absolute destination (may end in "/"). */
  dest: string;
  owner?: { uid: number; gid: number };
  chmod?: number;
  /** ADD only: local archives are unpacked into the destination. */
  extractArchives: boolean;
}

/** A source found in the source tree: its path there and what it is. */
interface Found {
  rel: string;
  host: string;
  st: Stats;
  /** A downloaded file: never unpacked, even by ADD (Docker's noDecompress). */
  remote?: boolean;
}

function outside(cmd: string, src: string): never {
  throw new InvalidArgument(`${cmd} failed: forbidden path outside the build context: ${src} ()`);
}

/** Every path below `dir` (relative, "/"-separated), for glob matching. */
async function allPaths(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of (await fs.readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    out.push(r);
    if (d.isDirectory()) out.push(...(await allPaths(dir, r)));
  }
  return out;
}

async function findSources(req: CopyRequest, src: CopySource, pattern: string): Promise<Found[]> {
  if (src.context && path.posix.normalize(pattern).split('/')[0] === '..') outside(req.cmd, pattern);
  const rel = cleanPath(pattern);
  const ignored = (r: string) => !!src.ignore && r !== '.' && src.ignore.ignores(r);
  if (hasGlob(rel)) {
    const re = globToRegExp(rel);
    const matches = (await allPaths(src.dir)).filter((p) => re.test(p) && !ignored(p));
    const found: Found[] = [];
    const resolver = await rootResolver(src.dir);
    try {
      for (const m of matches) {
        // The resolved path, so the bytes read later are the ones this stat describes.
        const host = await resolver.resolve(m);
        const st = host === undefined ? undefined : await statOrUndefined(host);
        if (host === undefined || !st) throw notFound(req, src, m);
        found.push({ rel: m, host, st });
      }
    } finally {
      await resolver.close();
    }
    return found;
  }
  const host = rel === '.' ? src.dir : await resolveInRoot(src.dir, rel);
  const st = ignored(rel) || host === undefined ? undefined : await statOrUndefined(host, { follow: true });
  if (!st || host === undefined) throw notFound(req, src, rel);
  return [{ rel, host, st }];
}

function notFound(req: CopyRequest, src: CopySource, rel: string): NotFound {
  return new NotFound(
    src.context
      ? `${req.cmd} failed: file not found in build context or excluded by .dockerignore: stat ${rel}: file does not exist`
      : `${req.cmd} failed: stat ${path.posix.join('/', rel)}: file does not exist`,
  );
}

export interface Planner {
  root?: ImageRoot;
  /** Unpacks an archive (ADD) into a fresh temp dir, returned. */
  unpackArchive(host: string): Promise<string>;
}

/** The entries a COPY/ADD writes, and Docker's history kind for it (one file, one directory, several). */
export async function planCopy(req: CopyRequest, source: CopySource, planner: Planner): Promise<{ entries: PlannedEntry[]; kind: 'file' | 'dir' | 'multi' }> {
  const found: Array<Found | { heredoc: string; content: string }> = [];
  const destSlash = req.dest.endsWith('/');
  for (const s of req.srcs) {
    if (typeof s === 'string') found.push(...(await findSources(req, source, s)));
    else if ('remote' in s) {
      // No name from the URL: only a file destination can name it.
      if (!s.remote.name && destSlash) throw new InvalidArgument(`${req.cmd} failed: cannot determine filename for source ${s.remote.url}`);
      found.push({ rel: s.remote.name || '__unnamed__', host: s.remote.host, st: await fs.stat(s.remote.host), remote: true });
    } else found.push(s);
  }
  if (found.length === 0) throw new InvalidArgument(`${req.cmd} failed: no source files were specified`);
  const dest = path.posix.normalize(req.dest).replace(/\/+$/, '') || '/';
  const destStat = planner.root ? await planner.root.stat(dest, { follow: true }) : undefined;
  const destIsDir = destSlash || !!destStat?.isDirectory();
  if (found.length > 1 && !destSlash && !destStat?.isDirectory()) {
    throw new InvalidArgument(`When using ${req.cmd} with more than one source file, the destination must be a directory and end with a /`);
  }
  const entries = new Map<string, PlannedEntry>();
  const owner = (st: { uid: number; gid: number }) => req.owner ?? (source.context ? { uid: 0, gid: 0 } : { uid: st.uid, gid: st.gid });
  const add = (e: PlannedEntry) => entries.set(e.name, e);

  for (const f of found) {
    if ('heredoc' in f) {
      const name = strip(destIsDir ? path.posix.join(dest, f.heredoc) : dest);
      const content = Buffer.from(f.content);
      add({ name, type: 'file', mode: req.chmod ?? 0o644, ...(req.owner ?? { uid: 0, gid: 0 }), mtime: new Date(), size: content.length, content });
      continue;
    }
    if (f.st.isDirectory()) {
      // The directory's contents go to dest; dest itself is created like the source dir.
      await addTree(f.host, strip(dest), f.rel === '.' ? '' : f.rel, { req, source, owner, add, dirSt: f.st, dirExists: !!destStat?.isDirectory() });
    } else if (req.extractArchives && !f.remote && (await isArchive(f.host))) {
      const tmp = await planner.unpackArchive(f.host);
      const st = await fs.stat(tmp);
      await addTree(tmp, strip(dest), '', { req, source: { dir: tmp, context: false }, owner: (s) => req.owner ?? { uid: s.uid, gid: s.gid }, add, dirSt: st, dirExists: !!destStat?.isDirectory() });
    } else {
      const name = strip(destIsDir ? path.posix.join(dest, path.posix.basename(f.rel)) : dest);
      const who = f.remote ? req.owner ?? { uid: 0, gid: 0 } : owner(f.st);
      add({ name, type: 'file', mode: req.chmod ?? f.st.mode & 0o7777, ...who, mtime: f.st.mtime, size: f.st.size, host: f.host });
    }
  }
  const parents = await parentEntries([...entries.keys()], planner.root, entries);
  const kind = found.length > 1 ? 'multi' : 'st' in found[0] && found[0].st.isDirectory() ? 'dir' : 'file';
  return { entries: [...parents, ...[...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))], kind };
}

function strip(p: string): string {
  return p.replace(/^\/+/, '');
}

async function addTree(
  hostDir: string,
  destName: string,
  relInSource: string,
  o: {
    req: CopyRequest;
    source: CopySource;
    owner: (st: Stats) => { uid: number; gid: number };
    add: (e: PlannedEntry) => void;
    dirSt: Stats;
    dirExists: boolean;
  },
): Promise<void> {
  if (destName !== '' && !o.dirExists) o.add({ name: destName, type: 'directory', mode: o.dirSt.mode & 0o7777, ...o.owner(o.dirSt), mtime: o.dirSt.mtime, size: 0 });
  const walk = async (host: string, name: string, rel: string): Promise<boolean> => {
    let any = false;
    for (const n of (await fs.readdir(host)).sort()) {
      const h = path.join(host, n);
      const r = rel ? `${rel}/${n}` : n;
      const target = name ? `${name}/${n}` : n;
      const st = await fs.lstat(h);
      const ignored = o.source.ignore ? o.source.ignore.ignores(r) : false;
      if (st.isDirectory()) {
        const before = { name: target, type: 'directory' as const, mode: (o.req.chmod ?? st.mode) & 0o7777, ...o.owner(st), mtime: st.mtime, size: 0 };
        // An ignored directory still holds whatever a `!` pattern re-includes below it.
        const kept = await walk(h, target, r);
        if (!ignored || kept) {
          o.add(before);
          any = true;
        }
        continue;
      }
      if (ignored) continue;
      any = true;
      if (st.isSymbolicLink()) o.add({ name: target, type: 'symlink', mode: 0o777, ...o.owner(st), mtime: st.mtime, size: 0, linkname: await fs.readlink(h) });
      else if (st.isFile()) o.add({ name: target, type: 'file', mode: (o.req.chmod ?? st.mode) & 0o7777, ...o.owner(st), mtime: st.mtime, size: st.size, host: h });
    }
    return any;
  };
  await walk(hostDir, destName, relInSource);
}

/** Entries for the destination's parent directories: the image's own, or new root 0755 ones made now (Docker's MkdirAll). */
async function parentEntries(names: string[], root: ImageRoot | undefined, planned: Map<string, PlannedEntry>): Promise<PlannedEntry[]> {
  const dirs = new Set<string>();
  for (const n of names) {
    const parts = n.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const out: PlannedEntry[] = [];
  for (const d of [...dirs].sort()) {
    if (planned.has(d)) continue;
    const st = root ? await root.stat(d, { follow: true }) : undefined;
    if (st?.isDirectory()) out.push({ name: d, type: 'directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 });
    else out.push({ name: d, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(), size: 0 });
  }
  return out;
}

/**
 * The cache digest of a plan: names, types, modes, owners, sizes, link targets and contents.
 * `known` gives a file's content digest when it was hashed already (the context index).
 */
export async function planDigest(entries: PlannedEntry[], known?: (host: string) => string | undefined): Promise<string> {
  const h = createHash('sha256');
  for (const e of entries) {
    h.update(JSON.stringify([e.name, e.type, e.mode, e.uid, e.gid, e.size, e.linkname ?? '']));
    if (e.type !== 'file') continue;
    const done = e.content ? undefined : known?.(e.host!);
    if (e.content) h.update(e.content);
    else if (done !== undefined) h.update(Buffer.from(done, 'hex'));
    else {
      const fh = createHash('sha256');
      await pipeline(createReadStream(e.host!), fh);
      h.update(fh.digest());
    }
  }
  return h.digest('hex');
}

/**
 * The plan as a layer tar, written by the project's TarWriter (as commit's layers are).
 * Each file is read through one fd, synchronously, as overlay-layer.ts does: the size is
 * the planned one, so a file that shrank since planning fails the step.
 */
export function planTar(entries: PlannedEntry[]): Readable {
  const out = new TarWriter();
  void (async () => {
    for (const e of entries) {
      const header: TarHeader = { name: e.name, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, mtime: Math.floor(e.mtime.getTime() / 1000), ...(e.linkname !== undefined ? { linkname: e.linkname } : {}) };
      if (e.type !== 'file') await out.entry(header);
      else if (e.content) {
        const body = e.content;
        await out.file({ ...header, size: body.length }, (buf, off, len, pos) => body.copy(buf, off, pos, pos + len));
      } else await putFile(out, { ...header, size: e.size }, e.host!);
    }
    await out.finish();
  })().catch((err: unknown) => out.destroy(err as Error));
  return out.stream;
}

async function putFile(out: TarWriter, header: TarHeader & { size: number }, host: string): Promise<void> {
  const fd = openSync(host, constants.O_RDONLY);
  try {
    await out.fileFromFd(header, fd);
  } finally {
    closeSync(fd);
  }
}
