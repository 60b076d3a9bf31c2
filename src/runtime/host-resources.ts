// What this host can give containers, for validating resource requests before anything is
// created: CPUs, the cpuset the cgroup root offers, memory, and the daemon's own rlimits
// (runc inherits them, and without CAP_SYS_RESOURCE a hard limit can only go down).

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CGROUP_ROOT } from './cgroups.js';

export interface HostResources {
  /** CPUs this process may run on (Go's runtime.NumCPU, which Docker uses). */
  numCpu: number;
  /** The cpuset root's `cpuset.cpus` ("0-1"), Docker's sysInfo.Cpus. */
  cpus: string;
  /** `cpuset.mems` of the root ("0"). */
  mems: string;
  /** Physical memory in bytes: Docker caps an unlimited container's reported limit at it. */
  memTotal: number;
  /** The daemon's hard rlimits by Docker's ulimit name (nofile, nproc…); Infinity for unlimited. */
  hardLimits: Record<string, number>;
}

/** /proc/self/limits row titles → Docker's ulimit names. */
const LIMIT_ROWS: Record<string, string> = {
  'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max data size': 'data', 'Max stack size': 'stack',
  'Max core file size': 'core', 'Max resident set': 'rss', 'Max processes': 'nproc', 'Max open files': 'nofile',
  'Max locked memory': 'memlock', 'Max address space': 'as', 'Max file locks': 'locks',
  'Max pending signals': 'sigpending', 'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
};

/** Parses /proc/<pid>/limits: `Max open files   1024   4096   files`. */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const title = Object.keys(LIMIT_ROWS).find((t) => line.startsWith(t));
    if (!title) continue;
    const [, hard] = line.slice(title.length).trim().split(/\s+/);
    out[LIMIT_ROWS[title]!] = hard === 'unlimited' || hard === undefined ? Infinity : Number(hard);
  }
  return out;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fallback;
  }
}

let cached: HostResources | undefined;

/** Read once: none of these change while the daemon runs (rlimits are the daemon's own). */
export function hostResources(): HostResources {
  if (cached) return cached;
  const numCpu = os.availableParallelism();
  cached = {
    numCpu,
    cpus: readOr(`${CGROUP_ROOT}/cpuset/cpuset.cpus`, numCpu > 1 ? `0-${numCpu - 1}` : '0'),
    mems: readOr(`${CGROUP_ROOT}/cpuset/cpuset.mems`, '0'),
    memTotal: os.totalmem(),
    hardLimits: parseProcLimits(readOr('/proc/self/limits', '')),
  };
  return cached;
}
