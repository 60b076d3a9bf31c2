// Health checks (HEALTHCHECK, `run --health-*`): a monitor per running container that runs
// the probe through the exec path on a timer and keeps State.Health as Docker does
// (moby daemon/health.go):
//   - at each start: Status "starting", FailingStreak 0 (the Log is kept);
//   - the first probe runs one interval after the start (StartInterval while starting within
//     StartPeriod, and at once when StartPeriod ends before the next interval);
//   - exit 0 → "healthy", streak 0; any other result (a timeout is -1) adds to the streak,
//     except while "starting" within StartPeriod; streak ≥ Retries → "unhealthy";
//   - the last 5 results are kept, each output cut at 4096 bytes ("..." marks the cut);
//   - a status change publishes `health_status: <status>`.
// Lifecycle: `started(rec)` after every start (and for running containers at daemon start),
// `stopped(id)` at every exit; a probe still running then is killed and its result dropped.
// A paused container is not probed (its timer just comes round again).
// Self-healing without an orchestrator (Podman's --health-on-failure, HostConfig.HealthOnFailure):
// on the change to "unhealthy" the container is killed, restarted or stopped.
import { Duplex } from 'node:stream';
import { HEALTH_ON_FAILURE, type ContainerConfig, type HealthConfig, type HealthOnFailure } from '../contract/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import { formatGoDuration } from '../units/index.js';
import type { ContainerRecord } from './container.js';
import { containerAttributes } from './create.js';
import type { EngineDeps } from './deps.js';
import type { ExecService } from './exec.js';

export interface HealthcheckResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health; persisted with the container's state. */
export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthcheckResult[];
}

const MS = 1e6; // ns per ms
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_START_INTERVAL_MS = 5_000;
const DEFAULT_RETRIES = 3;
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT_BYTES = 4096;

/** Docker's checks of a create request's Healthcheck (durations below 1ms, negative retries). */
export function validateHealthcheck(hc: unknown): void {
  if (hc === undefined || hc === null) return;
  const h = hc as HealthConfig;
  for (const field of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const v = h[field] ?? 0;
    if (v !== 0 && v < MS) throw new InvalidArgument(`${field} in Healthcheck cannot be less than 1ms`);
  }
  if ((h.Retries ?? 0) < 0) throw new InvalidArgument('Retries in Healthcheck cannot be negative');
}

/**
 * HostConfig.HealthOnFailure: one of Podman's actions, and only with a health check to act
 * on (Podman's wording). `config` is the container's, merged with its image's.
 */
export function validateHealthOnFailure(action: unknown, config: ContainerConfig): void {
  if (action === undefined || action === null || action === '' || action === 'none') return;
  if (!(HEALTH_ON_FAILURE as readonly unknown[]).includes(action)) {
    throw new InvalidArgument(`invalid HealthOnFailure ${JSON.stringify(action)}: must be one of ${HEALTH_ON_FAILURE.join(', ')}`);
  }
  if (!probeCommand(config)) throw new InvalidArgument(`cannot set on-failure action to ${action as string} without a health check`);
}

/** The request's Healthcheck over the image's: empty Test and zero fields inherit (moby's merge). */
export function mergeHealthcheck(user: unknown, image: unknown): HealthConfig | undefined {
  const u = user as HealthConfig | undefined | null;
  const i = image as HealthConfig | undefined | null;
  if (!u) return i ?? undefined;
  if (!i) return u;
  return {
    ...u,
    Test: u.Test && u.Test.length ? u.Test : i.Test,
    ...(u.Interval ? {} : i.Interval ? { Interval: i.Interval } : {}),
    ...(u.Timeout ? {} : i.Timeout ? { Timeout: i.Timeout } : {}),
    ...(u.StartPeriod ? {} : i.StartPeriod ? { StartPeriod: i.StartPeriod } : {}),
    ...(u.StartInterval ? {} : i.StartInterval ? { StartInterval: i.StartInterval } : {}),
    ...(u.Retries ? {} : i.Retries ? { Retries: i.Retries } : {}),
  };
}

/** The probe's command, or undefined when there is no health check (none, NONE, unknown type). */
export function probeCommand(config: ContainerConfig): string[] | undefined {
  const test = (config.Healthcheck as HealthConfig | undefined)?.Test;
  if (!test || test.length < 2) return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return [...(config.Shell?.length ? config.Shell : ['/bin/sh', '-c']), ...test.slice(1)];
  return undefined;
}

/** `Up 5 minutes (healthy)`'s parenthesis: "health: starting", "healthy", "unhealthy". */
export function healthText(h: HealthState): string {
  return h.Status === 'starting' ? 'health: starting' : h.Status;
}

/** Runs one probe in a running container; `exitCode` -1 with Docker's text on a timeout. */
export interface ProbeRunner {
  run(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }>;
}

/** Start/stop hooks the lifecycle calls. */
export interface HealthHooks {
  started(rec: ContainerRecord): void;
  stopped(id: string): void;
}

export const NO_HEALTH: HealthHooks = { started: () => undefined, stopped: () => undefined };

interface Monitor {
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/** What HealthOnFailure does (the lifecycle's kill, restart and stop). */
export type UnhealthyAction = (rec: ContainerRecord, action: Exclude<HealthOnFailure, 'none'>) => Promise<void>;

export class HealthMonitor implements HealthHooks {
  private monitors = new Map<string, Monitor>();

  constructor(
    private readonly deps: Pick<EngineDeps, 'store' | 'events'>,
    private readonly probe: ProbeRunner,
    private readonly onUnhealthy: UnhealthyAction = async () => undefined,
  ) {}

  started(rec: ContainerRecord): void {
    if (!probeCommand(rec.spec.config)) return;
    this.stopped(rec.spec.id);
    rec.state.health = { Status: 'starting', FailingStreak: 0, Log: rec.state.health?.Log ?? [] };
    const m: Monitor = { stopped: false };
    this.monitors.set(rec.spec.id, m);
    this.schedule(rec, m);
  }

  stopped(id: string): void {
    const m = this.monitors.get(id);
    if (!m) return;
    m.stopped = true;
    clearTimeout(m.timer);
    this.monitors.delete(id);
  }

  close(): void {
    for (const id of [...this.monitors.keys()]) this.stopped(id);
  }

  private schedule(rec: ContainerRecord, m: Monitor): void {
    if (m.stopped) return;
    m.timer = setTimeout(() => void this.tick(rec, m), nextDelayMs(rec));
    m.timer.unref();
  }

  private async tick(rec: ContainerRecord, m: Monitor): Promise<void> {
    if (m.stopped) return;
    const cmd = probeCommand(rec.spec.config);
    if (rec.state.status === 'running' && cmd) {
      const hc = (rec.spec.config.Healthcheck ?? {}) as HealthConfig;
      const timeoutMs = hc.Timeout ? hc.Timeout / MS : DEFAULT_TIMEOUT_MS;
      const start = new Date();
      let result: { exitCode: number; output: string };
      try {
        result = await this.probe.run(rec.spec.id, cmd, timeoutMs);
      } catch (err) {
        result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
      }
      if (m.stopped) return; // the container stopped meanwhile: Docker drops the result
      await this.record(rec, { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output });
    }
    this.schedule(rec, m);
  }

  private async record(rec: ContainerRecord, result: HealthcheckResult): Promise<void> {
    const h = rec.state.health;
    if (!h) return;
    const before = h.Status;
    const next = applyResult(h, result, { ...((rec.spec.config.Healthcheck ?? {}) as HealthConfig) }, Date.parse(rec.state.startedAt));
    rec.state.health = next;
    if (next.Status === before) return;
    // Persisted on changes only (every probe would mean a write every interval per container).
    await this.deps.store.save(rec).catch(() => undefined);
    this.deps.events.publish('container', `health_status: ${next.Status}`, rec.spec.id, containerAttributes(rec));
    const action = rec.spec.hostConfig.HealthOnFailure;
    if (next.Status === 'unhealthy' && action && action !== 'none') {
      // This container's next probe waits for the action (a stop takes up to StopTimeout); a
      // failure (the container exited meanwhile) leaves the state as the exit made it.
      await this.onUnhealthy(rec, action).catch(() => undefined);
    }
  }
}

/** The next state after one probe result (pure: moby's handleProbeResult). */
export function applyResult(h: HealthState, r: HealthcheckResult, hc: HealthConfig, startedAtMs: number): HealthState {
  const log = [...h.Log, r].slice(-MAX_LOG_ENTRIES);
  if (r.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const startPeriodMs = (hc.StartPeriod ?? 0) / MS;
  if (h.Status === 'starting' && Date.parse(r.Start) - startedAtMs < startPeriodMs) return { ...h, Log: log };
  const streak = h.FailingStreak + 1;
  const retries = hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES;
  return { Status: streak >= retries ? 'unhealthy' : h.Status, FailingStreak: streak, Log: log };
}

/** The wait before the next probe (moby's getInterval). */
export function nextDelayMs(rec: ContainerRecord, now = Date.now()): number {
  const hc = (rec.spec.config.Healthcheck ?? {}) as HealthConfig;
  const interval = hc.Interval ? hc.Interval / MS : DEFAULT_INTERVAL_MS;
  const startInterval = hc.StartInterval ? hc.StartInterval / MS : DEFAULT_START_INTERVAL_MS;
  const startPeriod = (hc.StartPeriod ?? 0) / MS;
  const elapsed = now - Date.parse(rec.state.startedAt);
  if (elapsed >= startPeriod) return interval;
  const remaining = startPeriod - elapsed;
  if (remaining < interval) return remaining;
  return rec.state.health?.Status === 'starting' ? startInterval : interval;
}

/**
 * Probes through `docker exec`'s path (so they show as exec_create/exec_start/exec_die
 * events, as Docker's do); output is collected from the exec's framed stream. On a timeout
 * the probe's process is killed.
 */
export function execProbeRunner(exec: ExecService): ProbeRunner {
  return {
    async run(containerId, cmd, timeoutMs) {
      const { Id } = exec.create(containerId, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const sink = new OutputSink();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        const pid = exec.inspect(Id).Pid;
        if (pid) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, timeoutMs);
      try {
        await exec.start(Id, { detach: false, tty: false, client: { socket: sink, stdin: false, stdout: true, stderr: true } });
      } finally {
        clearTimeout(timer);
      }
      const code = exec.inspect(Id).ExitCode;
      exec.forget(Id);
      const out = sink.text();
      if (timedOut) {
        const limit = formatGoDuration(timeoutMs);
        return { exitCode: -1, output: out ? `Health check exceeded timeout (${limit}): ${out}` : `Health check exceeded timeout (${limit})` };
      }
      return { exitCode: code ?? -1, output: out };
    },
  };
}

/** Framed bytes kept of a probe's output: ample for the 4096 reported, bounded for a chatty probe. */
const MAX_RAW_BYTES = 64 * 1024;

/** The exec client's socket: keeps the first 4096 bytes of stdout+stderr (frames decoded). */
class OutputSink extends Duplex {
  private raw: Buffer[] = [];
  private rawBytes = 0;

  override _read(): void {
    // nothing to send: the probe gets no stdin
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.rawBytes < MAX_RAW_BYTES) {
      this.raw.push(chunk);
      this.rawBytes += chunk.length;
    }
    cb();
  }

  override _final(cb: () => void): void {
    this.push(null);
    cb();
  }

  text(): string {
    const buf = Buffer.concat(this.raw);
    const parts: Buffer[] = [];
    for (let i = 0; i + 8 <= buf.length; ) {
      const size = buf.readUInt32BE(i + 4);
      parts.push(buf.subarray(i + 8, i + 8 + size));
      i += 8 + size;
    }
    const all = Buffer.concat(parts);
    return all.length > MAX_OUTPUT_BYTES ? `${all.subarray(0, MAX_OUTPUT_BYTES).toString('utf8')}...` : all.toString('utf8');
  }
}
