// Spec options for the security side of a container (capabilities, no-new-privileges,
// seccomp, --privileged, --device, --group-add, --init). They run after the defaults of
// spec_opts.ts and edit what those set, so an unprivileged container without options
// keeps exactly Docker's defaults.
import type { SpecDevice, SpecSecurity } from './types.js';
import type { OciDeviceCgroup, OciSpec } from './spec_types.js';
import { withCapabilities, type SpecOpt } from './spec_opts.js';

/** Where Docker mounts its init (tini) in the container. */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';

/** The options for `sec`, in the order they apply. */
export function securityOpts(sec: SpecSecurity): SpecOpt[] {
  return [
    withCapabilities(sec.capabilities),
    withNoNewPrivileges(sec.noNewPrivileges),
    withSeccomp(sec.seccomp),
    ...(sec.privileged ? [withPrivileged()] : []),
    withDevices(sec.devices, { allowAll: sec.privileged }),
    withGroupAdd(sec.groupAdd),
    ...(sec.initPath ? [withInit(sec.initPath)] : []),
  ];
}

export function withNoNewPrivileges(on: boolean): SpecOpt {
  return (spec) => {
    spec.process.noNewPrivileges = on;
  };
}

/** Installs the filter; none (unconfined, privileged) leaves the section out. */
export function withSeccomp(seccomp: SpecSecurity['seccomp']): SpecOpt {
  return (spec) => {
    if (seccomp) spec.linux.seccomp = seccomp;
    else delete spec.linux.seccomp;
  };
}

/**
 * What --privileged lifts besides capabilities and seccomp: the masked and read-only
 * /proc paths, and the read-only /sys and cgroup mounts (moby `WithMounts`).
 */
export function withPrivileged(): SpecOpt {
  return (spec) => {
    spec.linux.maskedPaths = [];
    spec.linux.readonlyPaths = [];
    for (const m of spec.mounts) {
      if (m.destination === '/sys' || m.type === 'cgroup') m.options = m.options.filter((o) => o !== 'ro');
    }
  };
}

/** Device nodes and their cgroup rules; `allowAll` (privileged) opens the whole device cgroup. */
export function withDevices(devices: SpecDevice[], opts: { allowAll: boolean }): SpecOpt {
  return (spec) => {
    for (const d of devices) {
      const node = { path: d.path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
      const at = spec.linux.devices.findIndex((x) => x.path === d.path);
      if (at >= 0) spec.linux.devices[at] = node;
      else spec.linux.devices.push(node);
      if (!opts.allowAll) spec.linux.resources.devices.push(cgroupRule(d));
    }
    if (opts.allowAll) spec.linux.resources.devices = [{ allow: true, access: 'rwm' }];
  };
}

function cgroupRule(d: SpecDevice): OciDeviceCgroup {
  return { allow: true, type: d.type, major: d.major, minor: d.minor, access: d.permissions };
}

export function withGroupAdd(gids: number[]): SpecOpt {
  return (spec) => {
    if (gids.length === 0) return;
    const have = spec.process.user.additionalGids ?? [];
    spec.process.user.additionalGids = [...have, ...gids.filter((g) => !have.includes(g))];
  };
}

/**
 * --init: tini (read-only bind of the host binary) becomes PID 1 and runs the command
 * after `--`, so orphans are reaped and signals forwarded, as with Docker's docker-init.
 */
export function withInit(hostPath: string): SpecOpt {
  return (spec: OciSpec) => {
    spec.process.args = [INIT_PATH_IN_CONTAINER, '--', ...spec.process.args];
    spec.mounts.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: hostPath, options: ['bind', 'ro'] });
  };
}
