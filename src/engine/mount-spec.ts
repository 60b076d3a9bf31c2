// What a container asks to have mounted, parsed and checked as moby's mount parser does
// (volume/mounts/linux_parser.go), wording included: `-v` strings (HostConfig.Binds),
// `--mount` objects (HostConfig.Mounts), `--volumes-from` entries and the image's VOLUME
// paths. Pure: nothing here touches the disk, so each rule is unit-tested.
import path from 'node:path';
import { InvalidArgument } from '../errdefs/index.js';

/** One mount of a container, as recorded at create (Docker's MountPoint). */
export interface MountPointRecord {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (type volume). */
  name?: string;
  /** Host path (type bind). */
  source?: string;
  destination: string;
  /** Docker's Mode string as inspect shows it ("", "z", "ro", "rw,z"…). */
  mode: string;
  rw: boolean;
  /** Bind propagation ("rprivate" by default for binds, "" for the others). */
  propagation: string;
  /** Populate an empty volume with the image's content at `destination` (not with nocopy). */
  copyData: boolean;
  /** A volume made for this container (`-v /path`, image VOLUME): `rm -v` removes it. */
  anonymous?: boolean;
  /** tmpfs mounts: size in bytes and mode. */
  tmpfs?: { sizeBytes?: number; mode?: number };
  /** `--mount type=volume` driver options and labels for a volume created on the fly. */
  volumeOptions?: { labels?: Record<string, string>; driverOptions?: Record<string, string> };
  /** `--mount … ,volume-subpath` is not supported; kept out. */
}

/** HostConfig.Mounts entry (api/swagger.yaml `Mount`). */
export interface MountEntry {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

const PROPAGATIONS = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];
const LABEL_MODES = ['z', 'Z'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];

/** moby's linux ValidMountMode: at most one of each kind, only known words. */
export function validMode(mode: string): boolean {
  if (mode === '') return true;
  let rw = 0; let label = 0; let prop = 0; let copy = 0; let cons = 0;
  for (const m of mode.split(',')) {
    if (m === 'rw' || m === 'ro') rw++;
    else if (LABEL_MODES.includes(m)) label++;
    else if (PROPAGATIONS.includes(m)) prop++;
    else if (m === 'nocopy') copy++;
    else if (CONSISTENCY.includes(m)) cons++;
    else return false;
  }
  return rw <= 1 && label <= 1 && prop <= 1 && copy <= 1 && cons <= 1;
}

function modeWords(mode: string): string[] {
  return mode === '' ? [] : mode.split(',');
}

function checkDestination(raw: string, type: string, dest: string): void {
  if (!path.isAbsolute(dest)) {
    throw new InvalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "${type}": invalid mount path: '${dest}' mount path must be absolute`);
  }
  if (path.normalize(dest) === '/') {
    throw new InvalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  }
}

/** One `-v` string: `/dest`, `name:/dest[:mode]` or `/host:/dest[:mode]`. */
export function parseBind(raw: string): MountPointRecord {
  const parts = raw.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgument(`invalid volume specification: '${raw}'`);
  if (parts.length === 1) {
    checkDestination(raw, 'volume', parts[0]!);
    return { type: 'volume', destination: path.normalize(parts[0]!), mode: '', rw: true, propagation: '', copyData: true, anonymous: true };
  }
  const [source, dest, mode = ''] = parts as [string, string, string?];
  if (!validMode(mode)) throw new InvalidArgument(`invalid mode: ${mode}`);
  const words = modeWords(mode);
  const rw = !words.includes('ro');
  if (path.isAbsolute(source)) {
    checkDestination(raw, 'bind', dest);
    if (words.includes('nocopy')) throw new InvalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "bind": field VolumeOptions must not be specified`);
    const propagation = words.find((w) => PROPAGATIONS.includes(w)) ?? 'rprivate';
    return { type: 'bind', source: path.normalize(source), destination: path.normalize(dest), mode, rw, propagation, copyData: false };
  }
  checkDestination(raw, 'volume', dest);
  if (words.some((w) => PROPAGATIONS.includes(w))) {
    throw new InvalidArgument(`invalid volume specification: '${raw}': invalid mount config for type "volume": field BindOptions must not be specified`);
  }
  // Docker shows a named volume's default mode as "z" (its SELinux relabel default).
  return { type: 'volume', name: source, destination: path.normalize(dest), mode: mode || 'z', rw, propagation: '', copyData: !words.includes('nocopy') };
}

/** One HostConfig.Mounts entry, checked as moby's validateMountConfig. */
export function parseMountEntry(m: MountEntry): MountPointRecord {
  const type = m.Type ?? '';
  const bad = (why: string) => new InvalidArgument(`invalid mount config for type "${type}": ${why}`);
  if (!['bind', 'volume', 'tmpfs'].includes(type)) throw bad('mount type unknown');
  if (!m.Target) throw bad('field Target must not be empty');
  if (!path.isAbsolute(m.Target)) throw bad(`invalid mount path: '${m.Target}' mount path must be absolute`);
  const destination = path.normalize(m.Target);
  const rw = !m.ReadOnly;
  if (type === 'bind') {
    if (!m.Source) throw bad('field Source must not be empty');
    if (m.VolumeOptions) throw bad('field VolumeOptions must not be specified');
    if (m.TmpfsOptions) throw bad('field TmpfsOptions must not be specified');
    if (!path.isAbsolute(m.Source)) throw bad(`invalid mount path: '${m.Source}' mount path must be absolute`);
    const propagation = m.BindOptions?.Propagation || 'rprivate';
    if (!PROPAGATIONS.includes(propagation)) throw bad(`invalid propagation mode: ${propagation}`);
    return { type, source: path.normalize(m.Source), destination, mode: '', rw, propagation, copyData: false };
  }
  if (type === 'volume') {
    if (m.BindOptions) throw bad('field BindOptions must not be specified');
    if (m.TmpfsOptions) throw bad('field TmpfsOptions must not be specified');
    const driverOptions = m.VolumeOptions?.DriverConfig?.Options ?? {};
    const labels = m.VolumeOptions?.Labels ?? {};
    return {
      type, ...(m.Source ? { name: m.Source } : { anonymous: true }), destination, mode: 'z', rw, propagation: '',
      copyData: !m.VolumeOptions?.NoCopy,
      ...(Object.keys(driverOptions).length || Object.keys(labels).length ? { volumeOptions: { labels, driverOptions } } : {}),
    };
  }
  if (m.Source) throw bad('field Source must not be specified');
  if (m.BindOptions) throw bad('field BindOptions must not be specified');
  if (m.VolumeOptions) throw bad('field VolumeOptions must not be specified');
  const size = m.TmpfsOptions?.SizeBytes;
  if (size !== undefined && size < 0) throw bad(`invalid tmpfs size: ${size}`);
  return { type: 'tmpfs', destination, mode: '', rw, propagation: '', copyData: false, tmpfs: { sizeBytes: size || undefined, mode: m.TmpfsOptions?.Mode || undefined } };
}

/** `--volumes-from ctr[:ro|rw]`. */
export function parseVolumesFrom(entry: string): { container: string; mode: '' | 'ro' | 'rw' } {
  const colon = entry.lastIndexOf(':');
  if (colon < 0) return { container: entry, mode: '' };
  const mode = entry.slice(colon + 1);
  if (mode !== 'ro' && mode !== 'rw') throw new InvalidArgument(`invalid mode for volumes-from: ${mode}`);
  return { container: entry.slice(0, colon), mode };
}

/** OCI mount options for a tmpfs mount (Docker adds noexec,nosuid,nodev first). */
export function tmpfsOptions(m: MountPointRecord): string[] {
  const out = ['noexec', 'nosuid', 'nodev', ...(m.rw ? [] : ['ro'])];
  if (m.tmpfs?.sizeBytes) out.push(`size=${m.tmpfs.sizeBytes}`);
  if (m.tmpfs?.mode) out.push(`mode=${m.tmpfs.mode.toString(8)}`);
  return out;
}

/** Mounts are applied parents first, so `/a/b` lands inside `/a` (moby's sortMounts). */
export function byDepth<T extends { destination: string }>(list: T[]): T[] {
  const depth = (p: string) => p.split('/').filter(Boolean).length;
  return [...list].sort((a, b) => depth(a.destination) - depth(b.destination));
}
