// Docker's resource settings (HostConfig's Resources part plus Ulimits and ShmSize):
// validation with moby's messages (daemon_unix.go verifyPlatformContainerResources), the
// defaults moby fills in at create (adaptContainerSettings), and the translation into OCI
// `linux.resources` / rlimits / the /dev/shm size. Pure: host facts come in as an argument.
import type { HostConfig } from '../contract/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import { hostResources, readOomKills, withResources, withRlimits, withShmSize, type HostResources, type LinuxResources, type Rlimit, type SpecOpt } from '../runtime/index.js';

/** moby's linuxMinMemory: "to account for overhead during startup". */
export const MIN_MEMORY = 6 * 1024 * 1024;
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262144;
/** The CFS period Docker uses for --cpus (100 ms, in µs). */
export const NANO_CPU_PERIOD = 100_000;

export interface Ulimit { Name: string; Soft: number; Hard: number }

/** The HostConfig fields this file reads, typed (the contract leaves them open). */
export interface ResourceFields {
  Memory?: number; MemorySwap?: number; MemoryReservation?: number; MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null; NanoCpus?: number; CpuPeriod?: number; CpuQuota?: number; CpuShares?: number;
  CpusetCpus?: string; CpusetMems?: string; PidsLimit?: number | null; BlkioWeight?: number;
  Ulimits?: Ulimit[] | null; ShmSize?: number; CpuPercent?: number;
  IOMaximumBandwidth?: number; IOMaximumIOps?: number;
}

export const ULIMIT_TYPES: Record<string, string> = {
  as: 'RLIMIT_AS', core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS', memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE', nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME', sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** "0-2,4" → [0,1,2,4]; moby's parsers.ParseUintList, which refuses anything else. */
export function parseCpuList(list: string): number[] {
  const out = new Set<number>();
  if (list === '') return [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid format: ${part}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`invalid range format: ${part}`);
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return [...out];
}

/**
 * Checks `hc` as moby does at create (`update: false`) or update; returns Docker's
 * warnings, throws InvalidArgument with Docker's message for a value it refuses.
 */
export function validateResources(config: HostConfig | ResourceFields, host: HostResources, opts: { update: boolean }): string[] {
  const hc = config as ResourceFields;
  const warnings: string[] = [];
  const memory = num(hc.Memory); const swap = num(hc.MemorySwap); const reservation = num(hc.MemoryReservation);
  if (memory !== 0 && memory < MIN_MEMORY) throw new InvalidArgument('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (memory === 0 && swap > 0 && !opts.update) throw new InvalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidArgument(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation > 0 && reservation < MIN_MEMORY) throw new InvalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw new InvalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (hc.OomKillDisable && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  const nano = num(hc.NanoCpus); const period = num(hc.CpuPeriod); const quota = num(hc.CpuQuota);
  if (nano > 0 && period > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0) throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > host.numCpu * 1e9) {
    throw new InvalidArgument(`Range of CPUs is from 0.01 to ${host.numCpu}.00, as there are only ${host.numCpu} CPUs available`);
  }
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw new InvalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota > 0 && quota < 1000) throw new InvalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (num(hc.CpuShares) < 0) throw new InvalidArgument('shares: invalid argument');
  if (num(hc.CpuPercent) > 0) warnings.push('linux does not support CPU percent. Percent discarded.');
  checkCpuset(hc.CpusetCpus ?? '', host.cpus, 'cpus', 'CPUs');
  checkCpuset(hc.CpusetMems ?? '', host.mems, 'mems', 'memory nodes');
  const weight = num(hc.BlkioWeight);
  if (weight > 0 && (weight < 10 || weight > 1000)) throw new InvalidArgument('Range of blkio weight is from 10 to 1000');
  if (num(hc.IOMaximumBandwidth) !== 0 || num(hc.IOMaximumIOps) !== 0) {
    throw new InvalidArgument('Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  }
  if (!opts.update) {
    if (num(hc.ShmSize) < 0) throw new InvalidArgument('SHM size can not be less than 0');
    checkUlimits(hc.Ulimits ?? [], host.hardLimits);
  }
  return warnings;
}

function checkCpuset(requested: string, available: string, key: 'cpus' | 'mems', what: string): void {
  if (!requested) return;
  let want: number[];
  try {
    want = parseCpuList(requested);
  } catch (err) {
    throw new InvalidArgument(`Invalid value ${requested} for cpuset ${key}: ${(err as Error).message}`);
  }
  const have = new Set(parseCpuList(available));
  if (want.some((c) => !have.has(c))) {
    throw new InvalidArgument(`Requested ${what} are not available - requested ${requested}, available: ${available}`);
  }
}

/**
 * Unknown names and soft > hard are refused as go-units does. A hard limit above the
 * daemon's own is refused too: runc inherits wharfd's limits and, without
 * CAP_SYS_RESOURCE, cannot raise them, so the start would fail later with EPERM.
 */
function checkUlimits(ulimits: Ulimit[], hardLimits: Record<string, number>): void {
  for (const u of ulimits) {
    if (!ULIMIT_TYPES[u.Name]) throw new InvalidArgument(`invalid ulimit type: ${u.Name}`);
    if (u.Soft > u.Hard && u.Hard !== -1) throw new InvalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    const max = hardLimits[u.Name] ?? Infinity;
    const hard = u.Hard < 0 ? Infinity : u.Hard;
    if (hard > max) {
      throw new InvalidArgument(
        `invalid ulimit ${u.Name}=${u.Soft}:${u.Hard}: hard limit is above the daemon's own hard limit (${max}), which the container cannot raise`,
      );
    }
  }
}

/** moby's adaptContainerSettings for resources: the values `inspect` then shows. */
export function applyResourceDefaults(hc: HostConfig & ResourceFields): void {
  const shares = num(hc.CpuShares);
  if (shares > 0 && shares < MIN_CPU_SHARES) hc.CpuShares = MIN_CPU_SHARES;
  else if (shares > MAX_CPU_SHARES) hc.CpuShares = MAX_CPU_SHARES;
  if (num(hc.Memory) > 0 && num(hc.MemorySwap) === 0) hc.MemorySwap = num(hc.Memory) * 2;
  if (!num(hc.ShmSize)) hc.ShmSize = DEFAULT_SHM_SIZE;
  if (hc.OomKillDisable === undefined || hc.OomKillDisable === null) hc.OomKillDisable = false;
  // moby's fixMemorySwappiness: the CLI's -1 means "not set".
  if (hc.MemorySwappiness === -1) hc.MemorySwappiness = null;
}

/** moby's getMemoryResources / getCPUResources / getPidsLimit, into the OCI shape. */
export function ociResources(hc: ResourceFields): LinuxResources {
  const r: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (num(hc.Memory) > 0) memory.limit = num(hc.Memory);
  if (num(hc.MemoryReservation) > 0) memory.reservation = num(hc.MemoryReservation);
  if (num(hc.MemorySwap) > 0) memory.swap = num(hc.MemorySwap);
  if (typeof hc.MemorySwappiness === 'number' && hc.MemorySwappiness >= 0) memory.swappiness = hc.MemorySwappiness;
  if (typeof hc.OomKillDisable === 'boolean') memory.disableOOMKiller = hc.OomKillDisable;
  r.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (num(hc.CpuShares) > 0) cpu.shares = num(hc.CpuShares);
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (num(hc.NanoCpus) > 0) {
    cpu.period = NANO_CPU_PERIOD;
    cpu.quota = Math.trunc((num(hc.NanoCpus) * NANO_CPU_PERIOD) / 1e9);
  }
  if (num(hc.CpuPeriod) !== 0) cpu.period = num(hc.CpuPeriod);
  if (num(hc.CpuQuota) !== 0) cpu.quota = num(hc.CpuQuota);
  r.cpu = cpu;
  // The API allows 0 and negative values to mean unlimited; runc wants -1 for that.
  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null) r.pids = { limit: hc.PidsLimit > 0 ? hc.PidsLimit : -1 };
  if (num(hc.BlkioWeight) > 0) r.blockIO = { weight: num(hc.BlkioWeight) };
  return r;
}

export function ociRlimits(ulimits: Ulimit[] | null | undefined): Rlimit[] {
  // -1 ("unlimited") is RLIM_INFINITY, which the spec's uint64 spells as 2^64-1.
  const big = (n: number): number => (n < 0 ? Number.MAX_SAFE_INTEGER : n);
  return (ulimits ?? []).map((u) => ({ type: ULIMIT_TYPES[u.Name] ?? `RLIMIT_${u.Name.toUpperCase()}`, soft: big(u.Soft), hard: big(u.Hard) }));
}

/** The spec options for a container's resources, applied after the defaults. */
export function resourceSpecOpts(hc: HostConfig): SpecOpt[] {
  const f = hc as ResourceFields;
  return [withResources(ociResources(f)), withRlimits(ociRlimits(f.Ulimits)), withShmSize(num(f.ShmSize) || DEFAULT_SHM_SIZE)];
}

/** Whether the OOM killer struck in the container's memory cgroup (read before it is deleted). */
export async function oomKilledIn(cgroupsPath: string): Promise<boolean> {
  return (await readOomKills(cgroupsPath).catch(() => 0)) > 0;
}

export { hostResources };
