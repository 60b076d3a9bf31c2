// HostConfig's security side → the runtime's `SpecSecurity`, namespaces and mounts:
// --cap-add/--cap-drop, --privileged, --security-opt, --device, --group-add, --tmpfs,
// --pid/--ipc/--uts, --init. `validateSecurity` runs at create so bad input is refused
// before anything exists; `resolveSecurity` runs at each start (devices and the other
// container of `--ipc container:X` are looked up then, as Docker does).
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { HostConfig } from '../contract/index.js';
import { Conflict, InvalidArgument, NotFound } from '../errdefs/index.js';
import {
  DEFAULT_SECCOMP_PROFILE,
  capabilitiesFromMask,
  effectiveCapabilities,
  parseSeccompProfile,
  resolveSeccomp,
  resolveUser,
  type NamespaceChoice,
  type OciSeccomp,
  type SpecDevice,
  type SpecMount,
  type SpecSecurity,
} from '../runtime/index.js';
import { isActive, type ContainerRecord } from './container.js';

const run = promisify(execFile);

/** Docker's docker-init is a static tini; Debian's tini-static is the same program. */
export const INIT_CANDIDATES = ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/bin/tini'];
/** Size of a shareable container's /dev/shm (Docker's default --shm-size). */
const SHM_SIZE = 64 * 1024 * 1024;

let hostCaps: string[] | undefined;
/** The daemon's bounding set: what a container can be granted at all. */
export function hostCapabilities(): string[] {
  if (!hostCaps) {
    const status = readFileSync('/proc/self/status', 'utf8');
    hostCaps = capabilitiesFromMask(/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0');
  }
  return hostCaps;
}

export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** "default", "unconfined", or a profile's JSON text. */
  seccomp: string;
}

/** moby's parseSecurityOpt, wording included ("invalid --security-opt 2: ..."). */
export function parseSecurityOpts(list: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: 'default' };
  for (const opt of list) {
    if (opt === 'no-new-privileges') { out.noNewPrivileges = true; continue; }
    if (opt === 'disable') continue; // label=disable's old spelling; no SELinux here
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (!sep) throw new InvalidArgument(`invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const key = opt.slice(0, opt.indexOf(sep));
    const value = opt.slice(opt.indexOf(sep) + 1);
    switch (key) {
      case 'label': case 'apparmor': break; // neither SELinux nor AppArmor on this host: accepted, as Docker does
      case 'seccomp': out.seccomp = value === 'builtin' || value === '' ? 'default' : value; break;
      case 'no-new-privileges': {
        const b = parseGoBool(value);
        if (b === undefined) throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default: throw new InvalidArgument(`invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}

function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

interface DeviceMapping { PathOnHost: string; PathInContainer?: string; CgroupPermissions?: string }

/** What create needs to check a host config against the world. */
export interface SecurityContext {
  findContainer(ref: string): ContainerRecord | undefined;
  /** Directory of a container's files (a shareable one keeps its /dev/shm there). */
  containerDir(id: string): string;
}

/**
 * Refuses what Docker refuses (and what would only fail later at start): unknown
 * capabilities, bad security options or seccomp profiles, bad namespace modes, missing
 * devices, relative tmpfs paths. Fills the defaults Docker records (IpcMode "private").
 */
export async function validateSecurity(hc: HostConfig, ctx: SecurityContext): Promise<void> {
  effectiveCapabilities({ add: strings(hc.CapAdd), drop: strings(hc.CapDrop), privileged: false, available: hostCapabilities() });
  const opts = parseSecurityOpts(strings(hc.SecurityOpt));
  if (!['default', 'unconfined'].includes(opts.seccomp)) resolveSeccomp(parseSeccompProfile(opts.seccomp), { capabilities: [] });
  if (!hc.IpcMode) hc.IpcMode = 'private';
  const ipc = hc.IpcMode;
  if (!['private', 'host', 'shareable', 'none'].includes(ipc) && !/^container:.+/.test(ipc)) throw new InvalidArgument(`invalid IPC mode: ${ipc}`);
  const pid = hc.PidMode ?? '';
  if (!['', 'host'].includes(pid) && !/^container:.+/.test(pid)) throw new InvalidArgument(`invalid PID mode: ${pid}`);
  if (!['', 'host'].includes(hc.UTSMode ?? '')) throw new InvalidArgument(`invalid UTS mode: ${hc.UTSMode}`);
  for (const mode of [ipc, pid]) {
    if (mode.startsWith('container:') && !ctx.findContainer(mode.slice('container:'.length))) {
      throw new NotFound(`No such container: ${mode.slice('container:'.length)}`);
    }
  }
  for (const d of (hc.Devices as DeviceMapping[] | null | undefined) ?? []) await deviceFromPath(d);
  for (const dest of Object.keys((hc.Tmpfs as Record<string, string> | null | undefined) ?? {})) {
    if (!path.isAbsolute(dest)) throw new InvalidArgument(`invalid mount config for type "tmpfs": invalid mount path: '${dest}' mount path must be absolute`);
  }
  if (hc.Init && !(await initBinary())) throw new InvalidArgument('--init: no init binary found (install Debian\'s tini package)');
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export interface ResolvedSecurity {
  security: SpecSecurity;
  pid: NamespaceChoice;
  ipc: NamespaceChoice;
  uts: NamespaceChoice;
  /** tmpfs mounts and the /dev/shm of shareable / joined IPC namespaces. */
  mounts: SpecMount[];
}

/** Everything security-related the spec needs for one start of `rec`. */
export async function resolveSecurity(rec: ContainerRecord, ctx: SecurityContext & { rootfs: string; hostNetwork: boolean }): Promise<ResolvedSecurity> {
  const hc = rec.spec.hostConfig;
  const privileged = !!hc.Privileged;
  const capabilities = effectiveCapabilities({ add: strings(hc.CapAdd), drop: strings(hc.CapDrop), privileged, available: hostCapabilities() });
  const opts = parseSecurityOpts(strings(hc.SecurityOpt));
  let seccomp: OciSeccomp | undefined;
  if (!privileged && opts.seccomp !== 'unconfined') {
    const profile = opts.seccomp === 'default' ? DEFAULT_SECCOMP_PROFILE : parseSeccompProfile(opts.seccomp);
    seccomp = resolveSeccomp(profile, { capabilities });
  }
  const devices: SpecDevice[] = privileged ? await hostDevices() : [];
  for (const d of (hc.Devices as DeviceMapping[] | null | undefined) ?? []) {
    if (privileged && (d.PathInContainer || d.PathOnHost) === d.PathOnHost) continue; // already there
    devices.push(await deviceFromPath(d));
  }
  const groupAdd: number[] = [];
  for (const g of strings(hc.GroupAdd)) {
    groupAdd.push(/^\d+$/.test(g) ? Number(g) : (await resolveUser(ctx.rootfs, `0:${g}`)).gid);
  }
  const mounts: SpecMount[] = [];
  for (const [dest, options] of Object.entries((hc.Tmpfs as Record<string, string> | null | undefined) ?? {})) {
    mounts.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...options.split(',').filter(Boolean)] });
  }
  const ipcMode = hc.IpcMode || 'private';
  let ipc: NamespaceChoice = { kind: 'private' };
  if (ipcMode === 'host') ipc = { kind: 'host' };
  else if (ipcMode === 'shareable') mounts.push(shmBind(await mountShareableShm(ctx.containerDir(rec.spec.id))));
  else if (ipcMode.startsWith('container:')) {
    const donor = runningDonor(ctx, ipcMode.slice('container:'.length));
    if (donor.spec.hostConfig.IpcMode !== 'shareable') {
      throw new InvalidArgument(`container ${donor.spec.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
    ipc = { kind: 'path', path: `/proc/${donor.state.pid}/ns/ipc` };
    mounts.push(shmBind(shmDir(ctx.containerDir(donor.spec.id))));
  }
  const pidMode = hc.PidMode ?? '';
  const pid: NamespaceChoice = pidMode === 'host' ? { kind: 'host' }
    : pidMode.startsWith('container:') ? { kind: 'path', path: `/proc/${runningDonor(ctx, pidMode.slice('container:'.length)).state.pid}/ns/pid` }
      : { kind: 'private' };
  const uts: NamespaceChoice = hc.UTSMode === 'host' || ctx.hostNetwork ? { kind: 'host' } : { kind: 'private' };
  const initPath = hc.Init ? await initBinary() : undefined;
  return {
    security: { capabilities, privileged, noNewPrivileges: opts.noNewPrivileges, seccomp, devices, groupAdd, ...(initPath ? { initPath } : {}) },
    pid, ipc, uts, mounts,
  };
}

function runningDonor(ctx: SecurityContext, ref: string): ContainerRecord {
  const donor = ctx.findContainer(ref);
  if (!donor) throw new NotFound(`No such container: ${ref}`);
  if (!isActive(donor.state) || donor.state.pid <= 0) throw new Conflict(`container ${donor.spec.id} is not running`);
  return donor;
}

async function initBinary(): Promise<string | undefined> {
  for (const p of INIT_CANDIDATES) {
    if (await fs.access(p).then(() => true, () => false)) return p;
  }
  return undefined;
}

/** moby's DevicesFromPath for one device node (symlinks followed); Docker's wording on failure. */
async function deviceFromPath(d: DeviceMapping): Promise<SpecDevice> {
  const perms = d.CgroupPermissions || 'rwm';
  const fail = (why: string) => new InvalidArgument(`error gathering device information while adding custom device ${JSON.stringify(d.PathOnHost)}: ${why}`);
  if (!/^[rwm]{1,3}$/.test(perms) || new Set(perms).size !== perms.length) throw new InvalidArgument(`invalid device mode: ${perms}`);
  let st;
  try {
    st = await fs.stat(d.PathOnHost);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message);
  }
  if (!st.isCharacterDevice() && !st.isBlockDevice()) throw fail('not a device node');
  return deviceNode(d.PathInContainer || d.PathOnHost, st, perms);
}

function deviceNode(p: string, st: import('node:fs').Stats, permissions: string): SpecDevice {
  const rdev = st.rdev;
  return {
    path: p,
    type: st.isBlockDevice() ? 'b' : 'c',
    major: Math.floor(rdev / 256) & 0xfff,
    minor: (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00),
    fileMode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    permissions,
  };
}

/** Every device node under the host's /dev, skipping what runc's GetDevices skips. */
async function hostDevices(dir = '/dev'): Promise<SpecDevice[]> {
  const out: SpecDevice[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev'].includes(e.name)) out.push(...(await hostDevices(p)));
      continue;
    }
    if (e.name === 'console' || !(e.isCharacterDevice() || e.isBlockDevice())) continue;
    const st = await fs.stat(p).catch(() => undefined);
    if (st && (st.isCharacterDevice() || st.isBlockDevice())) out.push(deviceNode(p, st, 'rwm'));
  }
  return out;
}

/** Host-side home of a shareable container's /dev/shm, so other containers can mount it too. */
export function shmDir(containerDir: string): string {
  return path.join(containerDir, 'shm');
}

function shmBind(source: string): SpecMount {
  return { destination: '/dev/shm', type: 'bind', source, options: ['rbind', 'nosuid', 'noexec', 'nodev'] };
}

async function mountShareableShm(containerDir: string): Promise<string> {
  const dir = shmDir(containerDir);
  await fs.mkdir(dir, { recursive: true });
  const mounted = (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === dir);
  if (!mounted) await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,mode=1777,size=${SHM_SIZE}`, 'shm', dir]);
  return dir;
}

/** Unmounts a shareable container's /dev/shm after it exited (no-op for the others). */
export async function releaseShm(containerDir: string): Promise<void> {
  const dir = shmDir(containerDir);
  const mounted = (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').some((l) => l.split(' ')[4] === dir);
  if (mounted) await run('umount', ['-l', dir]).catch(() => undefined);
}
