// `docker diff`: what a container changed, read from its overlay upper dir against the
// image's layers (Docker's ChangesDirs rules): an entry not in the image is Added (with
// everything below it), a whiteout is a Delete, a file whose metadata differs is Modified,
// and a directory is Modified when its own metadata changed or anything inside it did.
// An opaque directory hides the image's content below it: those entries are Deleted.
// Order: parents before children, names in byte order.
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errdefs/index.js';
import { isRealDir, isWhiteout, opaqueDirs, walkUpper, type UpperEntry } from './upper-tree.js';

/** Docker's ChangeType: 0 = Modified, 1 = Added, 2 = Deleted. */
export type ChangeKind = 0 | 1 | 2;
export interface Change {
  Path: string;
  Kind: ChangeKind;
}

interface Node {
  entry: UpperEntry;
  children: Node[];
}

export async function overlayChanges(upper: string, lowerDirs: string[], opts: { exclude?: ReadonlySet<string> } = {}): Promise<Change[]> {
  const root: Node[] = [];
  const byPath = new Map<string, Node[]>([['/', root]]);
  const dirs: string[] = [];
  await walkUpper(upper, async (entry) => {
    const node: Node = { entry, children: [] };
    byPath.get(path.posix.dirname(entry.path))!.push(node);
    if (entry.st.isDirectory()) {
      byPath.set(entry.path, node.children);
      dirs.push(entry.path);
    }
  }, opts);
  // Only a directory the image has too can hide anything by being opaque.
  const opaque = await opaqueDirs(upper, dirs.filter((d) => lowerDirs.some((lower) => isRealDir(lower, d))));
  const out: Change[] = [];
  for (const n of root) out.push(...(await changesOf(n, lowerDirs, opaque)));
  return out;
}

async function changesOf(n: Node, lowers: string[], opaque: Set<string>): Promise<Change[]> {
  const { path: p, st } = n.entry;
  if (isWhiteout(st)) return (await lowerStat(lowers, p)) ? [{ Path: p, Kind: 2 }] : [];
  const lower = await lowerStat(lowers, p);
  if (!lower) return [{ Path: p, Kind: 1 }, ...n.children.flatMap((c) => allAdded(c))];
  const inside: Change[] = [];
  for (const c of n.children) inside.push(...(await changesOf(c, lowers, opaque)));
  if (st.isDirectory() && lower.isDirectory() && opaque.has(p)) {
    const kept = new Set(n.children.map((c) => path.posix.basename(c.entry.path)));
    for (const name of await lowerNames(lowers, p)) if (!kept.has(name)) inside.push({ Path: path.posix.join(p, name), Kind: 2 });
    inside.sort((a, b) => Buffer.compare(Buffer.from(a.Path), Buffer.from(b.Path)));
  }
  if (st.isDirectory() && lower.isDirectory()) {
    return sameMeta(st, lower) && inside.length === 0 ? [] : [{ Path: p, Kind: 0 }, ...inside];
  }
  return sameMeta(st, lower) && st.isDirectory() === lower.isDirectory() ? [] : [{ Path: p, Kind: 0 }, ...inside];
}

function allAdded(n: Node): Change[] {
  if (isWhiteout(n.entry.st)) return [];
  return [{ Path: n.entry.path, Kind: 1 }, ...n.children.flatMap(allAdded)];
}

function sameMeta(a: Stats, b: Stats): boolean {
  return (
    a.mode === b.mode &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    a.rdev === b.rdev &&
    // A directory's size and mtime change with its entries: what matters there is whether
    // an entry changed, which the caller checks (and the runtime's mount points touch /etc).
    (a.isDirectory() || (a.size === b.size && Math.floor(a.mtimeMs) === Math.floor(b.mtimeMs)))
  );
}

/**
 * The entry at `p` as the image's layers show it (top layer first), or undefined. Walked
 * component by component so a symlink in a layer is never followed (it would lead to the
 * host); a whiteout or a non-directory on the way hides what is below.
 */
async function lowerStat(lowers: string[], p: string): Promise<Stats | undefined> {
  const comps = p.split('/').filter(Boolean);
  for (const layer of lowers) {
    let cur = layer;
    let found: Stats | undefined;
    let hidden = false;
    for (let i = 0; i < comps.length; i++) {
      cur = path.join(cur, comps[i]!);
      let st: Stats;
      try {
        st = await fs.lstat(cur);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') break;
        throw err;
      }
      if (isWhiteout(st)) {
        hidden = true;
        break;
      }
      if (i === comps.length - 1) found = st;
      else if (!st.isDirectory()) {
        hidden = true;
        break;
      }
    }
    if (found) return found;
    if (hidden) return undefined;
  }
  return undefined;
}

/** Names in directory `p` across the image's layers (what an opaque upper dir hides). */
async function lowerNames(lowers: string[], p: string): Promise<string[]> {
  const names = new Set<string>();
  for (const layer of lowers) {
    const st = await lowerStat([layer], p);
    if (!st?.isDirectory()) continue;
    for (const n of await fs.readdir(path.join(layer, p)).catch(() => [] as string[])) {
      const child = await fs.lstat(path.join(layer, p, n)).catch(() => undefined);
      if (child && !isWhiteout(child)) names.add(n);
    }
  }
  return [...names].sort();
}
