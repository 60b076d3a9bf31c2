// Tar entry names are untrusted input. Shared by layer unpacking (src/image/unpack.ts),
// image archive loading and `docker cp` extraction (extract.ts).
import { InvalidArgument } from '../errdefs/index.js';

/** Splits an entry name into components; refuses "..". "" components and "." vanish, so an absolute name is taken relative to the extraction root. */
export function entryComponents(name: string): string[] {
  const comps = name.split('/').filter((c) => c !== '' && c !== '.');
  if (comps.includes('..')) throw new InvalidArgument(`invalid tar entry "${name}": path escapes the layer (".." component)`);
  return comps;
}

/** OCI layer changeset markers: `.wh.<name>` deletes <name>, `.wh..wh..opq` makes its directory opaque. */
export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';

/** tar-stream's header, with the PAX records it keeps. */
export interface TarHeader {
  name: string;
  type?: string | null;
  mode?: number | null;
  uid?: number | null;
  gid?: number | null;
  size?: number | null;
  mtime?: Date | null;
  linkname?: string | null;
  devmajor?: number | null;
  devminor?: number | null;
  pax?: Record<string, string> | null;
}

/** `SCHILY.xattr.*` PAX records as xattr name → value, skipping values tar-stream could not decode (binary values arrive mangled, and a wrong capability is worse than none). */
export function paxXattrs(h: TarHeader): Array<[string, Buffer]> {
  if (!h.pax) return [];
  return Object.entries(h.pax)
    .filter(([k, v]) => k.startsWith('SCHILY.xattr.') && !v.includes('\uFFFD'))
    .map(([k, v]) => [k.slice('SCHILY.xattr.'.length), Buffer.from(v, 'utf8')]);
}
