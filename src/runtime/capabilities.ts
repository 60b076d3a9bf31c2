// Linux capability names by bit number, and Docker's rules for --cap-add / --cap-drop /
// --privileged (moby `oci/caps`): names are upper-cased and get a CAP_ prefix; ALL means
// every capability available here. "Available" is the daemon's own bounding set, not the
// kernel's list: a capability the daemon cannot hold (CAP_SYS_RESOURCE on this VM) would
// make runc fail, so it is refused up front and left out of ALL and --privileged.
import { InvalidArgument } from '../errdefs/index.js';
import { DEFAULT_CAPABILITIES } from './spec_defaults.js';

/** Index = capability bit (linux/capability.h up to CAP_CHECKPOINT_RESTORE, 5.9). */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** Names of the bits set in a /proc/<pid>/status mask such as CapBnd ("000001fffeffffff"). */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return CAPABILITY_NAMES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The mask /proc/<pid>/status would show for `caps` (for tests and messages). */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = CAPABILITY_NAMES.indexOf(c as (typeof CAPABILITY_NAMES)[number]);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

/**
 * "sys_admin" → "CAP_SYS_ADMIN"; "all" → "ALL". `field` names the HostConfig field in the
 * message, as moby's "invalid CapAdd: unknown capability: \"CAP_FOO\"".
 */
export function normalizeCapabilities(list: readonly string[], opts: { field: string; available: readonly string[] }): string[] {
  return list.map((raw) => {
    const c = raw.toUpperCase();
    if (c === 'ALL') return c;
    const name = c.startsWith('CAP_') ? c : `CAP_${c}`;
    if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgument(`invalid ${opts.field}: unknown capability: ${JSON.stringify(name)}`);
    }
    if (!opts.available.includes(name)) {
      throw new InvalidArgument(`invalid ${opts.field}: capability not supported by your kernel or not available in the current environment: ${JSON.stringify(name)}`);
    }
    return name;
  });
}

export interface CapabilityRequest {
  add: readonly string[];
  drop: readonly string[];
  privileged: boolean;
  /** What the daemon may grant: its bounding set, in bit order. */
  available: readonly string[];
}

/** The container's capability set (moby's TweakCapabilities, ALL meaning "available"). */
export function effectiveCapabilities(req: CapabilityRequest): string[] {
  if (req.privileged) return [...req.available];
  const base = DEFAULT_CAPABILITIES.filter((c) => req.available.includes(c));
  if (req.add.length === 0 && req.drop.length === 0) return base;
  const drop = normalizeCapabilities(req.drop, { field: 'CapDrop', available: req.available });
  const add = normalizeCapabilities(req.add, { field: 'CapAdd', available: req.available });
  let caps: string[];
  if (add.includes('ALL')) caps = req.available.filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...base.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}
