// Options that shape an OCI spec, one per concern (containerd `pkg/oci/spec_opts.go`'s
// shape). Each returns a function that edits the spec in place; `generateSpec` applies them
// in order, and later issues (seccomp, resources, devices…) add options without touching
// the ones here.

import type { NamespaceChoice, ResolvedUser, SpecMount } from './types.js';
import type { OciNamespaceType, OciSpec } from './spec_types.js';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_PATH_ENV,
  DEFAULT_READONLY_PATHS,
  defaultDeviceCgroupRules,
  defaultDevices,
  defaultMounts,
} from './spec_defaults.js';

export type SpecOpt = (spec: OciSpec) => void;

export function withRootfs(path: string, opts: { readonly: boolean }): SpecOpt {
  return (spec) => {
    spec.root = { path, readonly: opts.readonly };
  };
}

export function withProcessArgs(args: string[]): SpecOpt {
  return (spec) => {
    spec.process.args = [...args];
  };
}

/** Working directory; Docker runs in "/" when the image and the user name none. */
export function withProcessCwd(cwd: string): SpecOpt {
  return (spec) => {
    spec.process.cwd = cwd === '' ? '/' : cwd;
  };
}

export function withTTY(tty: boolean): SpecOpt {
  return (spec) => {
    spec.process.terminal = tty;
  };
}

export function withUser(user: ResolvedUser): SpecOpt {
  return (spec) => {
    spec.process.user = { uid: user.uid, gid: user.gid };
    if (user.additionalGids.length > 0) spec.process.user.additionalGids = [...user.additionalGids];
  };
}

/**
 * Docker's environment: PATH, HOSTNAME and (with a TTY) TERM=xterm first, then the
 * container's own variables replacing those with the same name (a bare `NAME` without `=`
 * removes the variable), then HOME from the user's passwd entry unless set.
 */
export function withEnv(env: string[], ctx: { hostname: string; tty: boolean; home: string }): SpecOpt {
  return (spec) => {
    const base = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${ctx.hostname}`];
    if (ctx.tty) base.push('TERM=xterm');
    const merged = replaceOrAppendEnv(base, env);
    if (!merged.some((e) => envKey(e) === 'HOME')) merged.push(`HOME=${ctx.home || '/'}`);
    spec.process.env = merged;
  };
}

function envKey(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** moby's `ReplaceOrAppendEnvValues`. */
export function replaceOrAppendEnv(defaults: string[], overrides: string[]): string[] {
  const out = [...defaults];
  for (const entry of overrides) {
    const key = envKey(entry);
    const at = out.findIndex((e) => envKey(e) === key);
    if (!entry.includes('=')) {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

/** Sets the hostname, only when the container has its own UTS namespace (runc refuses otherwise). */
export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    const uts = spec.linux.namespaces.find((ns) => ns.type === 'uts');
    if (uts && uts.path === undefined && hostname !== '') spec.hostname = hostname;
    else delete spec.hostname;
  };
}

export interface NamespaceChoices {
  network: NamespaceChoice;
  pid: NamespaceChoice;
  ipc: NamespaceChoice;
  uts: NamespaceChoice;
}

/** A private mount namespace always; the others per choice ("host" omits the entry). */
export function withNamespaces(choices: NamespaceChoices): SpecOpt {
  return (spec) => {
    const namespaces: OciSpec['linux']['namespaces'] = [{ type: 'mount' }];
    const add = (type: OciNamespaceType, choice: NamespaceChoice) => {
      if (choice.kind === 'private') namespaces.push({ type });
      else if (choice.kind === 'path') namespaces.push({ type, path: choice.path });
    };
    add('network', choices.network);
    add('pid', choices.pid);
    add('ipc', choices.ipc);
    add('uts', choices.uts);
    spec.linux.namespaces = namespaces;
  };
}

/** /proc, /dev, /dev/pts, /sys, cgroup, /dev/mqueue and a 64 MiB /dev/shm, as Docker mounts them. */
export function withDefaultMounts(): SpecOpt {
  return (spec) => {
    spec.mounts = defaultMounts();
  };
}

/**
 * With `--ipc host` the container sees the host's /dev/shm and /dev/mqueue, as in Docker;
 * a fresh tmpfs or mqueue would hide the shared segments.
 */
export function withIpcMounts(ipc: NamespaceChoice): SpecOpt {
  return (spec) => {
    if (ipc.kind !== 'host') return;
    replaceMount(spec, { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] });
    replaceMount(spec, { destination: '/dev/mqueue', type: 'bind', source: '/dev/mqueue', options: ['rbind', 'nosuid', 'noexec', 'nodev'] });
  };
}

/**
 * Bind mounts of the per-container /etc/hostname, /etc/hosts and /etc/resolv.conf files
 * (host paths). Read-only when the root file system is, as in Docker.
 */
export function withEtcFiles(files: { hostname: string; hosts: string; resolvConf: string }, opts: { readonly: boolean }): SpecOpt {
  return (spec) => {
    const options = ['rbind', 'rprivate', ...(opts.readonly ? ['ro'] : [])];
    for (const [destination, source] of [
      ['/etc/resolv.conf', files.resolvConf],
      ['/etc/hostname', files.hostname],
      ['/etc/hosts', files.hosts],
    ] as const) {
      replaceMount(spec, { destination, type: 'bind', source, options: [...options] });
    }
  };
}

/** Extra mounts (volumes, tmpfs); one on the same destination as a default replaces it. */
export function withMounts(mounts: SpecMount[]): SpecOpt {
  return (spec) => {
    for (const m of mounts) replaceMount(spec, { ...m, options: [...m.options] });
  };
}

function replaceMount(spec: OciSpec, mount: OciSpec['mounts'][number]): void {
  const at = spec.mounts.findIndex((m) => m.destination === mount.destination);
  if (at >= 0) spec.mounts[at] = mount;
  else spec.mounts.push(mount);
}

/** Bounding, effective and permitted sets; no inheritable or ambient ones (as Docker since 20.10.14). */
export function withCapabilities(caps: readonly string[] = DEFAULT_CAPABILITIES): SpecOpt {
  return (spec) => {
    spec.process.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
  };
}

export function withMaskedPaths(paths: readonly string[] = DEFAULT_MASKED_PATHS): SpecOpt {
  return (spec) => {
    spec.linux.maskedPaths = [...paths];
  };
}

export function withReadonlyPaths(paths: readonly string[] = DEFAULT_READONLY_PATHS): SpecOpt {
  return (spec) => {
    spec.linux.readonlyPaths = [...paths];
  };
}

/** The default device nodes and the device cgroup allow-list of an unprivileged container. */
export function withDefaultDevices(): SpecOpt {
  return (spec) => {
    spec.linux.devices = defaultDevices();
    spec.linux.resources.devices = defaultDeviceCgroupRules();
  };
}

export function withCgroupsPath(path: string): SpecOpt {
  return (spec) => {
    spec.linux.cgroupsPath = path;
  };
}
