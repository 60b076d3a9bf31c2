// Resource flags of run/create/update (--memory, --cpus, --ulimit, …) and their parsing
// into HostConfig fields, with the docker CLI's units and messages (go-units RAMInBytes,
// opts.NanoCPUs, units.ParseUlimit). Range checks that need the host are the daemon's.
import { FlagError, type FlagSpec, type Parsed } from './flags.js';

/** Flags shared by run/create and update. */
export const updatableResourceFlags: FlagSpec[] = [
  { long: 'blkio-weight', type: 'string', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
  { long: 'cpu-period', type: 'string', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { long: 'cpu-quota', type: 'string', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { long: 'cpu-shares', short: 'c', type: 'string', help: 'CPU shares (relative weight)' },
  { long: 'cpus', type: 'string', help: 'Number of CPUs' },
  { long: 'cpuset-cpus', type: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { long: 'cpuset-mems', type: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  { long: 'memory', short: 'm', type: 'string', help: 'Memory limit' },
  { long: 'memory-reservation', type: 'string', help: 'Memory soft limit' },
  { long: 'memory-swap', type: 'string', help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { long: 'pids-limit', type: 'string', help: 'Tune container pids limit (set -1 for unlimited)' },
];

/** run/create only. */
export const resourceFlags: FlagSpec[] = [
  ...updatableResourceFlags,
  { long: 'oom-kill-disable', type: 'bool', help: 'Disable OOM Killer' },
  { long: 'ulimit', type: 'list', help: 'Ulimit options' },
  { long: 'shm-size', type: 'string', help: 'Size of /dev/shm' },
];

function flagName(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`;
}

function bad(long: string, value: string, why: string): FlagError {
  const spec = resourceFlags.find((f) => f.long === long);
  return new FlagError(`invalid argument "${value}" for "${spec ? flagName(spec) : `--${long}`}" flag: ${why}`);
}

const RAM_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes: "512m", "1g", "1.5GiB", "100" (binary multiples). */
export function ramInBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(value);
  if (!m) throw new Error(`invalid size: '${value}'`);
  const n = Number.parseFloat(m[1]!);
  return Math.trunc(n * RAM_UNITS[(m[2] ?? '').toLowerCase()]!);
}

/** docker's opts.NanoCPUs: a rational number of CPUs, in billionths. */
export function parseNanoCpus(value: string): number {
  const frac = /^([+-]?\d+)\/(\d+)$/.exec(value);
  let cpus: number;
  if (frac) cpus = Number(frac[1]) / Number(frac[2]);
  else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) cpus = Number(value);
  else throw new Error(`failed to parse ${value} as a rational number`);
  const nano = cpus * 1e9;
  if (!Number.isFinite(nano) || Math.abs(nano - Math.round(nano)) > 1e-6) throw new Error('value is too precise');
  return Math.round(nano);
}

export interface Ulimit { Name: string; Soft: number; Hard: number }

/** go-units ParseUlimit: `name=soft[:hard]`. */
export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const parts = value.slice(eq + 1).split(':');
  if (parts.length > 2) throw new Error(`too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const [soft, hard] = parts.map((p) => {
    if (!/^[+-]?\d+$/.test(p)) throw new Error(`strconv.ParseInt: parsing "${p}": invalid syntax`);
    return Number(p);
  }) as [number, number | undefined];
  const h = hard ?? soft;
  if (soft > h) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  return { Name: name, Soft: soft, Hard: h };
}

const ULIMIT_NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as']);

function parseInt64(long: string, raw: string): number {
  if (!/^[+-]?\d+$/.test(raw)) throw bad(long, raw, `strconv.ParseInt: parsing "${raw}": invalid syntax`);
  return Number(raw);
}

function parseWith<T>(long: string, raw: string, fn: (v: string) => T): T {
  try {
    return fn(raw);
  } catch (err) {
    throw bad(long, raw, (err as Error).message);
  }
}

/**
 * The HostConfig resource fields for the flags given. Like docker's CLI, run/create send
 * every numeric field (0 = unset) and OomKillDisable; update sends only what changed.
 */
export function resourceHostConfig(p: Parsed, o: { update: boolean }): Record<string, unknown> {
  const s = (k: string): string | undefined => (p.set.has(k) ? (p.flags[k] as string) : undefined);
  const mem = (k: string): number => { const v = s(k); return v === undefined ? 0 : parseWith(k, v, ramInBytes); };
  const i64 = (k: string): number => { const v = s(k); return v === undefined ? 0 : parseInt64(k, v); };
  const swapRaw = s('memory-swap');
  const hc: Record<string, unknown> = {
    Memory: mem('memory'),
    MemoryReservation: mem('memory-reservation'),
    MemorySwap: swapRaw === '-1' ? -1 : mem('memory-swap'),
    NanoCpus: s('cpus') === undefined ? 0 : parseWith('cpus', s('cpus')!, parseNanoCpus),
    CpuPeriod: i64('cpu-period'),
    CpuQuota: i64('cpu-quota'),
    CpuShares: i64('cpu-shares'),
    CpusetCpus: s('cpuset-cpus') ?? '',
    CpusetMems: s('cpuset-mems') ?? '',
    BlkioWeight: s('blkio-weight') === undefined ? 0 : parseWith('blkio-weight', s('blkio-weight')!, parseUint16),
  };
  if (p.set.has('pids-limit')) hc.PidsLimit = i64('pids-limit');
  if (o.update) return hc;
  hc.OomKillDisable = !!p.flags['oom-kill-disable'];
  const ulimits = ((p.flags.ulimit as string[] | undefined) ?? []).map((u) => parseWith('ulimit', u, parseUlimit));
  if (ulimits.length) hc.Ulimits = ulimits;
  hc.ShmSize = mem('shm-size');
  return hc;
}

function parseUint16(v: string): number {
  if (!/^\+?\d+$/.test(v)) throw new Error(`strconv.ParseUint: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing "${v}": value out of range`);
  return n;
}
