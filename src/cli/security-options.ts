// Security and namespace flags of run/create (--cap-add, --security-opt, --device,
// --read-only, --tmpfs, --ipc, --init, …) and their translation into HostConfig fields,
// with the docker CLI's client-side rules: capabilities normalised to CAP_X, a seccomp
// profile file read and sent as compact JSON, device specs checked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FlagError, type FlagSpec, type Parsed } from './flags.js';

export const securityFlags: FlagSpec[] = [
  { long: 'cap-add', type: 'list', help: 'Add Linux capabilities' },
  { long: 'cap-drop', type: 'list', help: 'Drop Linux capabilities' },
  { long: 'security-opt', type: 'list', help: 'Security Options' },
  { long: 'read-only', type: 'bool', help: "Mount the container's root filesystem as read only" },
  { long: 'tmpfs', type: 'list', help: 'Mount a tmpfs directory' },
  { long: 'device', type: 'list', help: 'Add a host device to the container' },
  { long: 'group-add', type: 'list', help: 'Add additional groups to join' },
  { long: 'pid', type: 'string', help: 'PID namespace to use' },
  { long: 'ipc', type: 'string', help: 'IPC mode to use' },
  { long: 'uts', type: 'string', help: 'UTS namespace to use' },
  { long: 'init', type: 'bool', help: 'Run an init inside the container that forwards signals and reaps processes' },
];

/** "sys_admin" → "CAP_SYS_ADMIN"; ALL wins over the rest (docker's opts.EffectiveCapAddCapDrop). */
export function normalizeCaps(list: string[]): string[] {
  const caps = new Set(list.map((c) => {
    const u = c.trim().toUpperCase();
    return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  }));
  return caps.has('ALL') ? ['ALL'] : [...caps].sort();
}

/** docker's parseSecurityOpts: a seccomp profile file is read and sent as compact JSON. */
export function parseSecurityOpts(list: string[], readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  return list.map((opt) => {
    let sep = opt.indexOf('=');
    if (sep < 0 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep < 0 ? opt : opt.slice(0, sep);
    const value = sep < 0 ? '' : opt.slice(sep + 1);
    if ((sep < 0 || value === '') && key !== 'no-new-privileges') throw new FlagError(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key !== 'seccomp' || value === 'builtin' || value === 'unconfined') return opt;
    let text: string;
    try {
      text = readFile(value);
    } catch (e) {
      throw new FlagError(`opening seccomp profile (${value}) failed: ${(e as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (e) {
      throw new FlagError(`compacting json for seccomp profile (${value}) failed: ${(e as Error).message}`);
    }
  });
}

const validMode = (m: string) => m.length > 0 && m.length <= 3 && /^[rwm]+$/.test(m) && new Set(m).size === m.length;

/** `--device host[:container][:perms]`, checked as docker's validateLinuxPath and parseDevice do. */
export function parseDevice(spec: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = spec.split(':');
  if (parts.length > 3 || parts[0] === '') throw new FlagError(`bad format for path: ${spec}`);
  const [src, a, b] = parts as [string, string?, string?];
  let dst = src;
  let perms = 'rwm';
  if (parts.length === 2) {
    if (validMode(a!)) perms = a!; else dst = a!;
  } else if (parts.length === 3) {
    if (!validMode(b!)) throw new FlagError(`bad mode specified: ${b}`);
    dst = a!;
    perms = b!;
  }
  if (!path.isAbsolute(dst)) throw new FlagError(`${dst} is not an absolute path`);
  return { PathOnHost: src, PathInContainer: path.posix.normalize(dst), CgroupPermissions: perms };
}

/** `--tmpfs /path[:opts]` → HostConfig.Tmpfs. */
export function parseTmpfs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list) {
    const colon = t.indexOf(':');
    out[colon < 0 ? t : t.slice(0, colon)] = colon < 0 ? '' : t.slice(colon + 1);
  }
  return out;
}

/** The HostConfig fields these flags set (only those the user gave, plus docker's always-sent ones). */
export function securityHostConfig(p: Parsed): Record<string, unknown> {
  const list = (name: string) => (p.flags[name] as string[] | undefined) ?? [];
  const hc: Record<string, unknown> = {
    CapAdd: list('cap-add').length ? normalizeCaps(list('cap-add')) : null,
    CapDrop: list('cap-drop').length ? normalizeCaps(list('cap-drop')) : null,
    ReadonlyRootfs: !!p.flags['read-only'],
    SecurityOpt: list('security-opt').length ? parseSecurityOpts(list('security-opt')) : null,
    Devices: list('device').map(parseDevice),
    GroupAdd: list('group-add').length ? list('group-add') : null,
    PidMode: (p.flags.pid as string | undefined) ?? '',
    IpcMode: (p.flags.ipc as string | undefined) ?? '',
    UTSMode: (p.flags.uts as string | undefined) ?? '',
  };
  if (list('tmpfs').length) hc.Tmpfs = parseTmpfs(list('tmpfs'));
  if (p.set.has('init')) hc.Init = !!p.flags.init;
  return hc;
}
