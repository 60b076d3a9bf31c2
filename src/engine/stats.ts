// `GET /containers/{id}/stats`: cgroup v1 figures in Docker's StatsJSON shape (what
// `docker stats` renders). CPU % needs two readings; Docker waits a whole collection
// interval (1 s) for the second one of a one-off request. wharf keeps each container's last
// reading and, when it has none recent, takes two readings PRIME_MS apart instead, so
// `stats --no-stream` of many containers answers in about PRIME_MS.
import { hostResources, readCgroupStats, readHostCpu, type CgroupStats, type HostCpu } from '../runtime/index.js';
import { isActive, type ContainerRecord, ZERO_TIME } from './container.js';
import type { EngineDeps } from './deps.js';

/** The gap between the two readings of a one-off request without a recent reading. */
const PRIME_MS = 100;
/** A cached reading older than this is not used as the previous one. */
const FRESH_MS = 10_000;
/** Streaming interval, Docker's. */
export const STREAM_INTERVAL_MS = 1000;

interface Reading { at: Date; cg: CgroupStats; host: HostCpu }

export interface StatsJson {
  read: string; preread: string; name: string; id: string; num_procs: number;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, { major: number; minor: number; op: string; value: number }[] | null>;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats; precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; stats?: Record<string, number>; failcnt?: number; limit?: number };
  networks?: Record<string, Record<string, number>>;
}

interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number; online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

const emptyCpu = (): CpuStats => ({
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

function cpuStats(r: Reading): CpuStats {
  const c = r.cg.cpu;
  return {
    cpu_usage: { total_usage: c.total, percpu_usage: c.perCpu, usage_in_kernelmode: c.system, usage_in_usermode: c.user },
    system_cpu_usage: r.host.systemNs,
    online_cpus: r.host.onlineCpus,
    throttling_data: { periods: c.throttling.periods, throttled_periods: c.throttling.throttledPeriods, throttled_time: c.throttling.throttledTime },
  };
}

/** Docker's StatsJSON for `rec` from a reading and the one before it (if any). Pure. */
export function statsJson(rec: ContainerRecord, cur: Reading | undefined, prev: Reading | undefined, memTotal: number): StatsJson {
  const base: StatsJson = {
    read: cur ? cur.at.toISOString() : ZERO_TIME, preread: prev ? prev.at.toISOString() : ZERO_TIME,
    name: `/${rec.spec.name}`, id: rec.spec.id, num_procs: 0,
    pids_stats: {},
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    storage_stats: {},
    cpu_stats: cur ? cpuStats(cur) : emptyCpu(), precpu_stats: prev ? cpuStats(prev) : emptyCpu(),
    memory_stats: {},
  };
  if (!cur) return base;
  const { memory, pids, blkio, networks } = cur.cg;
  base.pids_stats = pids.limit ? { current: pids.current, limit: pids.limit } : { current: pids.current };
  base.blkio_stats.io_service_bytes_recursive = blkio.serviceBytes;
  base.blkio_stats.io_serviced_recursive = blkio.serviced;
  // An unlimited cgroup reports a huge number; Docker shows the machine's memory instead.
  base.memory_stats = { usage: memory.usage, max_usage: memory.maxUsage, stats: memory.stats, failcnt: memory.failcnt, limit: Math.min(memory.limit, memTotal) };
  if (Object.keys(networks).length) base.networks = networks as unknown as Record<string, Record<string, number>>;
  return base;
}

export class StatsService {
  private readonly last = new Map<string, Reading>();

  constructor(private readonly deps: EngineDeps) {}

  private async reading(rec: ContainerRecord): Promise<Reading | undefined> {
    if (!isActive(rec.state) || !rec.state.pid) return undefined;
    const [cg, host] = await Promise.all([readCgroupStats(rec.state.pid), readHostCpu()]);
    if (!cg) return undefined;
    const r = { at: new Date(), cg, host };
    this.last.set(rec.spec.id, r);
    if (this.last.size > 64) for (const id of this.last.keys()) if (!this.deps.store.find(id)) this.last.delete(id);
    return r;
  }

  private previous(id: string): Reading | undefined {
    const r = this.last.get(id);
    return r && Date.now() - r.at.getTime() < FRESH_MS ? r : undefined;
  }

  /**
   * One StatsJSON. `oneShot` answers from a single reading (no precpu), as Docker does;
   * otherwise precpu is the last reading, or one taken PRIME_MS earlier.
   */
  async once(ref: string, opts: { oneShot: boolean }): Promise<StatsJson> {
    const rec = this.deps.store.get(ref);
    const memTotal = hostResources().memTotal;
    let prev = opts.oneShot ? undefined : this.previous(rec.spec.id);
    if (!opts.oneShot && !prev) {
      prev = await this.reading(rec);
      if (prev) await new Promise((r) => setTimeout(r, PRIME_MS));
    }
    return statsJson(rec, await this.reading(rec), prev, memTotal);
  }

  /** Frames every STREAM_INTERVAL_MS until the container stops or `signal` aborts. */
  async *stream(ref: string, signal: AbortSignal): AsyncGenerator<StatsJson> {
    const rec = this.deps.store.get(ref);
    const memTotal = hostResources().memTotal;
    let prev = this.previous(rec.spec.id);
    for (;;) {
      const cur = await this.reading(rec);
      // A stopped container gets zero frames, as `docker stats -a` shows it.
      yield statsJson(rec, cur, prev, memTotal);
      if (signal.aborted) return;
      prev = cur;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, STREAM_INTERVAL_MS);
        signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
      });
      if (signal.aborted || this.deps.store.find(rec.spec.id) === undefined) return;
    }
  }

}
