// Spec options for resource limits: the OCI `linux.resources` block (memory, cpu, pids,
// blkio), `process.rlimits` and the size of the /dev/shm tmpfs. The engine turns Docker's
// HostConfig into these shapes (src/engine/resources.ts); here they are only placed.
// Pure: no files are read.

import type { SpecOpt } from './spec_opts.js';

/** runtime-spec `LinuxResources`, the parts wharf sets. Absent fields stay the runtime's default. */
export interface LinuxResources {
  memory?: {
    limit?: number;
    reservation?: number;
    /** memory+swap (cgroup v1 memsw); -1 is unlimited. */
    swap?: number;
    swappiness?: number;
    disableOOMKiller?: boolean;
  };
  cpu?: {
    shares?: number;
    quota?: number;
    period?: number;
    cpus?: string;
    mems?: string;
  };
  /** -1 is unlimited. */
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

/** A `process.rlimits` entry: `type` is the RLIMIT_* name, as the spec spells it. */
export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
}

/** Merges `r` into `linux.resources`, keeping what other options put there (device rules). */
export function withResources(r: LinuxResources): SpecOpt {
  return (spec) => {
    for (const [key, value] of Object.entries(r)) {
      if (value === undefined) continue;
      if (typeof value === 'object' && Object.keys(value).length === 0) continue;
      spec.linux.resources[key] = value;
    }
  };
}

/** Sets the container process's rlimits; an empty list leaves the inherited ones. */
export function withRlimits(rlimits: Rlimit[]): SpecOpt {
  return (spec) => {
    if (rlimits.length) spec.process.rlimits = rlimits.map((r) => ({ ...r }));
  };
}

/**
 * Sets `size=` of the private /dev/shm tmpfs (Docker's --shm-size, in bytes). A /dev/shm
 * bound from elsewhere (`--ipc host`) has no size of its own and is left alone.
 */
export function withShmSize(bytes: number): SpecOpt {
  return (spec) => {
    const shm = spec.mounts.find((m) => m.destination === '/dev/shm');
    if (!shm || shm.type !== 'tmpfs') return;
    shm.options = [...shm.options.filter((o) => !o.startsWith('size=')), `size=${bytes}`];
  };
}

/** `runc update` flags for `r` (runc orders memory and memsw writes itself). */
export function updateFlags(r: LinuxResources): string[] {
  const flags: [string, number | string | undefined][] = [
    ['--memory', r.memory?.limit],
    ['--memory-swap', r.memory?.swap],
    ['--memory-reservation', r.memory?.reservation],
    ['--cpu-period', r.cpu?.period],
    ['--cpu-quota', r.cpu?.quota],
    ['--cpu-share', r.cpu?.shares],
    ['--cpuset-cpus', r.cpu?.cpus],
    ['--cpuset-mems', r.cpu?.mems],
    ['--pids-limit', r.pids?.limit],
    ['--blkio-weight', r.blockIO?.weight],
  ];
  return flags.filter(([, v]) => v !== undefined && v !== '').map(([f, v]) => `${f}=${v}`);
}
