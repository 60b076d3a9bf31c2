// Mount flags of run/create: `-v`, `--mount`, `--volumes-from`, parsed client-side as
// docker's CLI does (cli/opts/mount.go): `-v /path` becomes an anonymous volume in
// Config.Volumes, other `-v` strings go as HostConfig.Binds for the daemon to judge;
// `--mount` CSV becomes a HostConfig.Mounts object.
import { FlagError, type FlagSpec, type Parsed } from './flags.js';
import { ramInBytes } from './resource-options.js';

export const mountFlags: FlagSpec[] = [
  { long: 'mount', type: 'list', help: 'Attach a filesystem mount to the container' },
  { long: 'volumes-from', type: 'list', help: 'Mount volumes from the specified container(s)' },
];

export interface MountObject {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

function bad(value: string, why: string): FlagError {
  return new FlagError(`invalid argument "${value}" for "--mount" flag: ${why}`);
}

function parseBool(value: string, raw: string, key: string): boolean {
  if (['', '1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
  throw bad(value, `invalid value for ${key}: ${raw}`);
}

/** One `--mount` value: `type=volume,source=v,target=/x,readonly,volume-opt=k=v,…`. */
export function parseMount(value: string): MountObject {
  const m: MountObject = { Type: 'volume' };
  const volume = () => (m.VolumeOptions ??= {});
  const bind = () => (m.BindOptions ??= {});
  const tmpfs = () => (m.TmpfsOptions ??= {});
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0 && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive'].includes(key)) throw bad(value, `invalid field '${field}' must be a key=value pair`);
    switch (key) {
      case 'type': m.Type = val; break;
      case 'source': case 'src': m.Source = val; break;
      case 'target': case 'dst': case 'destination': m.Target = val; break;
      case 'readonly': case 'ro': m.ReadOnly = parseBool(value, val, key); break;
      case 'consistency': m.Consistency = val; break;
      case 'bind-propagation': bind().Propagation = val; break;
      case 'bind-nonrecursive': bind().NonRecursive = parseBool(value, val, key); break;
      case 'volume-nocopy': volume().NoCopy = parseBool(value, val, key); break;
      case 'volume-driver': (volume().DriverConfig ??= {}).Name = val; break;
      case 'volume-label': {
        const i = val.indexOf('=');
        (volume().Labels ??= {})[i < 0 ? val : val.slice(0, i)] = i < 0 ? '' : val.slice(i + 1);
        break;
      }
      case 'volume-opt': {
        const i = val.indexOf('=');
        const cfg = (volume().DriverConfig ??= {});
        (cfg.Options ??= {})[i < 0 ? val : val.slice(0, i)] = i < 0 ? '' : val.slice(i + 1);
        break;
      }
      case 'tmpfs-size': {
        try {
          tmpfs().SizeBytes = ramInBytes(val);
        } catch {
          throw bad(value, `invalid value for ${key}: ${val}`);
        }
        break;
      }
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val)) throw bad(value, `invalid value for ${key}: ${val}`);
        tmpfs().Mode = parseInt(val, 8);
        break;
      }
      default: throw bad(value, `unexpected key '${key}' in '${field}'`);
    }
  }
  if (!m.Type) throw bad(value, 'type is required');
  if (!m.Target) throw bad(value, 'target is required');
  if (m.VolumeOptions && m.Type !== 'volume') throw bad(value, `cannot mix 'volume-*' options with mount type '${m.Type}'`);
  if (m.BindOptions && m.Type !== 'bind') throw bad(value, `cannot mix 'bind-*' options with mount type '${m.Type}'`);
  if (m.TmpfsOptions && m.Type !== 'tmpfs') throw bad(value, `cannot mix 'tmpfs-*' options with mount type '${m.Type}'`);
  return m;
}

/** `-v` strings: those without a destination are anonymous volumes (Config.Volumes). */
export function splitVolumes(list: string[]): { binds: string[]; volumes: Record<string, object> } {
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of list) {
    if (v.split(':').length > 1) binds.push(v);
    else volumes[v] = {};
  }
  return { binds, volumes };
}

/** The HostConfig and Config fields the mount flags set. */
export function mountOptions(p: Parsed): { binds: string[]; volumes: Record<string, object>; mounts: MountObject[]; volumesFrom: string[] } {
  const { binds, volumes } = splitVolumes(p.flags.volume as string[]);
  return { binds, volumes, mounts: (p.flags.mount as string[]).map(parseMount), volumesFrom: p.flags['volumes-from'] as string[] };
}
