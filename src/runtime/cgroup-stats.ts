// Reads a running container's figures from the kernel: its cgroup v1 files (found through
// /proc/<pid>/cgroup, so any cgroup parent works), its network namespace's counters
// (/proc/<pid>/net/dev) and the host's CPU time (/proc/stat), which `docker stats` needs
// to turn CPU time into a percentage. Units are the kernel's, converted to nanoseconds
// where Docker's API wants them. Every read is a small procfs/cgroupfs file: no process
// is spawned, so stats for many containers cost a few milliseconds.

import { promises as fs } from 'node:fs';
import { CGROUP_ROOT } from './cgroups.js';

/** USER_HZ: cpuacct.stat and /proc/stat count in these ticks on every Linux build Docker supports. */
const CLOCK_TICKS = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

export interface BlkioEntry { major: number; minor: number; op: string; value: number }

export interface NetDevCounters {
  rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number;
  tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number;
}

export interface CgroupStats {
  cpu: {
    /** Nanoseconds. */
    total: number; perCpu: number[]; user: number; system: number;
    throttling: { periods: number; throttledPeriods: number; throttledTime: number };
  };
  memory: { usage: number; maxUsage: number; limit: number; failcnt: number; stats: Record<string, number> };
  pids: { current: number; limit: number };
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] };
  /** Per interface, loopback left out (Docker reports the container's endpoints only). */
  networks: Record<string, NetDevCounters>;
}

export interface HostCpu {
  /** Sum of the host's CPU time in nanoseconds (Docker's system_cpu_usage). */
  systemNs: number;
  onlineCpus: number;
}

async function read(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

const int = (s: string | undefined): number => {
  const n = Number((s ?? '').trim());
  return Number.isFinite(n) ? n : 0;
};

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat). */
export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** `/proc/<pid>/cgroup` → controller → path ("memory" → "/wharf/<id>"). */
export function parseProcCgroup(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m || !m[1]) continue;
    for (const c of m[1].split(',')) out[c.replace(/^name=/, '')] = m[2]!;
  }
  return out;
}

/** blkio.*_recursive: `8:0 Read 4096` lines; the device-less `Total` line is left out. */
export function parseBlkio(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+)\s+(\S+)\s+(\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) });
  }
  return out;
}

/** /proc/<pid>/net/dev, loopback skipped. */
export function parseNetDev(text: string | undefined): Record<string, NetDevCounters> {
  const out: Record<string, NetDevCounters> = {};
  for (const line of (text ?? '').split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out[name] = {
      rx_bytes: f[0] ?? 0, rx_packets: f[1] ?? 0, rx_errors: f[2] ?? 0, rx_dropped: f[3] ?? 0,
      tx_bytes: f[8] ?? 0, tx_packets: f[9] ?? 0, tx_errors: f[10] ?? 0, tx_dropped: f[11] ?? 0,
    };
  }
  return out;
}

/** /proc/stat: the `cpu` line's first seven fields (user … softirq), as Docker sums them. */
export function parseProcStat(text: string): HostCpu {
  let systemNs = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1, 8).map(Number);
      systemNs = f.reduce((a, b) => a + b, 0) * NS_PER_TICK;
    } else if (/^cpu\d/.test(line)) onlineCpus++;
  }
  return { systemNs, onlineCpus };
}

export async function readHostCpu(): Promise<HostCpu> {
  return parseProcStat((await read('/proc/stat')) ?? '');
}

/** The path of `controller`'s cgroup directory for a process, or undefined when it is gone. */
export async function cgroupDirs(pid: number): Promise<((controller: string) => string) | undefined> {
  const text = await read(`/proc/${pid}/cgroup`);
  if (text === undefined) return undefined;
  const paths = parseProcCgroup(text);
  return (controller) => `${CGROUP_ROOT}/${controller}${paths[controller] ?? '/'}`;
}

/**
 * Figures for the container whose init process is `pid`; undefined when that process is
 * gone (the container exited meanwhile).
 */
export async function readCgroupStats(pid: number): Promise<CgroupStats | undefined> {
  const dir = await cgroupDirs(pid);
  if (!dir) return undefined;
  const cpuacct = dir('cpuacct'); const cpu = dir('cpu'); const mem = dir('memory'); const pids = dir('pids'); const blkio = dir('blkio');
  const files = await Promise.all([
    read(`${cpuacct}/cpuacct.usage`), read(`${cpuacct}/cpuacct.usage_percpu`), read(`${cpuacct}/cpuacct.stat`), read(`${cpu}/cpu.stat`),
    read(`${mem}/memory.usage_in_bytes`), read(`${mem}/memory.max_usage_in_bytes`), read(`${mem}/memory.limit_in_bytes`),
    read(`${mem}/memory.failcnt`), read(`${mem}/memory.stat`), read(`${pids}/pids.current`), read(`${pids}/pids.max`),
    read(`${blkio}/blkio.io_service_bytes_recursive`), read(`${blkio}/blkio.io_serviced_recursive`),
    read(`${blkio}/blkio.throttle.io_service_bytes_recursive`), read(`${blkio}/blkio.throttle.io_serviced_recursive`),
    read(`/proc/${pid}/net/dev`),
  ]);
  const [usage, percpu, acctStat, cpuStat, memUsage, memMax, memLimit, failcnt, memStat, pidsCur, pidsMax, ioBytes, ioOps, thrBytes, thrOps, netDev] = files;
  const acct = parseKeyValues(acctStat);
  const throttle = parseKeyValues(cpuStat);
  // Without CFQ the plain blkio files are empty; the throttle ones count every I/O (containerd's fallback).
  const serviceBytes = parseBlkio(ioBytes);
  return {
    cpu: {
      total: int(usage),
      perCpu: (percpu ?? '').trim().split(/\s+/).filter(Boolean).map(Number),
      user: (acct.user ?? 0) * NS_PER_TICK,
      system: (acct.system ?? 0) * NS_PER_TICK,
      throttling: { periods: throttle.nr_periods ?? 0, throttledPeriods: throttle.nr_throttled ?? 0, throttledTime: throttle.throttled_time ?? 0 },
    },
    memory: { usage: int(memUsage), maxUsage: int(memMax), limit: int(memLimit), failcnt: int(failcnt), stats: parseKeyValues(memStat) },
    pids: { current: int(pidsCur), limit: pidsMax?.trim() === 'max' ? 0 : int(pidsMax) },
    blkio: serviceBytes.length
      ? { serviceBytes, serviced: parseBlkio(ioOps) }
      : { serviceBytes: parseBlkio(thrBytes), serviced: parseBlkio(thrOps) },
    networks: parseNetDev(netDev),
  };
}

/**
 * The number of OOM kills in a cgroup's memory controller (`oom_kill` of memory.oom_control,
 * kernel 4.13+). Read before `runc delete` removes the cgroup: it is how an exit is known
 * to be the OOM killer's doing, also for a container that died while wharfd was down.
 */
export async function readOomKills(cgroupsPath: string): Promise<number> {
  const text = await read(`${CGROUP_ROOT}/memory${cgroupsPath}/memory.oom_control`);
  return parseKeyValues(text).oom_kill ?? 0;
}
