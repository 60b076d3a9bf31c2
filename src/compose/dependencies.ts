// depends_on conditions, as Compose v2's waitDependencies (pkg/compose/convergence.go):
// service_started needs no wait (dependency order already gives it); service_healthy waits
// until every container of the dependency is healthy and fails as soon as one is unhealthy,
// has exited or has no health check; service_completed_successfully waits until one of its
// containers has exited and fails on a non-zero code. A dependency that is not `required`
// only gets a warning. There is no deadline unless the caller sets one (`up --wait-timeout`).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerSummary, EngineClient } from '../client/index.js';
import { InvalidArgument, Unavailable } from '../errdefs/index.js';
import { projectContainers, name as containerNameOf } from './containers.js';
import type { DependsOn, Project, Service } from './model.js';
import type { Progress } from './progress.js';

export interface WaitOptions {
  /** The services taking part: a dependency left out (`--no-deps`) is not waited for. */
  used: Record<string, Service>;
  /** Replicas wanted per service: a dependency scaled to 0 is not waited for. */
  scaleOf: (s: Service) => number;
  /** Stops the wait (without an error of its own) when another part of the operation failed. */
  signal?: AbortSignal;
  /** Deadline for all of this service's dependencies, in ms; none when 0 or unset. */
  timeoutMs?: number;
  /** Poll interval, in ms (default 250; compose polls every 500). */
  pollMs?: number;
}

/** A container's state as far as a condition cares. */
interface Observed { name: string; status?: string; exitCode?: number; health?: string }

type Verdict = { done: true } | { done: false; error?: string };

/** service_healthy, for one container: compose's isServiceHealthy order of checks. */
export function healthVerdict(x: Observed): Verdict {
  if (x.status === 'exited') return { done: false, error: `container ${x.name} exited (${x.exitCode ?? 0})` };
  if (x.health === undefined) return { done: false, error: `container ${x.name} has no healthcheck configured` };
  if (x.health === 'healthy') return { done: true };
  if (x.health === 'unhealthy') return { done: false, error: `container ${x.name} is unhealthy` };
  if (x.health === 'starting') return { done: false };
  return { done: false, error: `container ${x.name} had unexpected health status "${x.health}"` };
}

/** service_completed_successfully: the first exited container decides. */
export function completedVerdict(dep: string, xs: Observed[]): Verdict {
  const exited = xs.find((x) => x.status === 'exited');
  if (!exited) return { done: false };
  if (!exited.exitCode) return { done: true };
  return { done: false, error: `"${dep}" didn't complete successfully: exit ${exited.exitCode}` };
}

async function observe(c: EngineClient, x: ContainerSummary): Promise<Observed> {
  const state = (await c.inspectContainer(x.Id)).value.State as { Status?: string; ExitCode?: number; Health?: { Status?: string } } | undefined;
  return { name: containerNameOf(x), status: state?.Status, exitCode: state?.ExitCode, health: state?.Health?.Status };
}

/** Waits for `s`'s depends_on conditions; rejects with compose v2's message when one cannot be met. */
export async function waitForDependencies(c: EngineClient, p: Project, s: Service, progress: Progress, o: WaitOptions): Promise<void> {
  const waits: { dep: string; cond: DependsOn; list: ContainerSummary[] }[] = [];
  for (const [dep, cond] of Object.entries(s.depends_on ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const svc = o.used[dep];
    if (cond.condition === 'service_started' || !svc || o.scaleOf(svc) === 0) continue;
    const list = await projectContainers(c, p.name, { all: true, services: [dep] });
    for (const x of list) progress.event('Container', containerNameOf(x), 'Waiting');
    if (!list.length) {
      if (cond.required) throw new InvalidArgument(`${s.name} is missing dependency ${dep}`);
      progress.note(`WARN[0000] ${s.name} is missing dependency ${dep}\n`);
      continue;
    }
    waits.push({ dep, cond, list });
  }
  if (!waits.length) return;
  // One failure ends the sibling waits too: their timers would otherwise keep the process alive.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (o.signal?.aborted) stop.abort(o.signal.reason);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = o.timeoutMs ? setTimeout(() => stop.abort(new Unavailable('timeout waiting for dependencies')), o.timeoutMs) : undefined;
  try {
    await Promise.all(waits.map(async (w) => {
      try {
        await waitOne(c, w, progress, { signal: stop.signal, pollMs: o.pollMs ?? 250 });
      } catch (e) {
        stop.abort(e);
        throw e;
      }
    }));
  } catch (e) {
    // A deadline or an outside abort wins over the sibling's AbortError it caused.
    if (stop.signal.reason instanceof Unavailable) throw stop.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  }
}

async function waitOne(c: EngineClient, w: { dep: string; cond: DependsOn; list: ContainerSummary[] }, progress: Progress, o: { signal: AbortSignal; pollMs: number }): Promise<void> {
  const events = (status: string): void => { for (const x of w.list) progress.event('Container', containerNameOf(x), status); };
  for (;;) {
    if (o.signal.aborted) throw o.signal.reason;
    const seen = await Promise.all(w.list.map((x) => observe(c, x)));
    if (w.cond.condition === 'service_completed_successfully') {
      const v = completedVerdict(w.dep, seen);
      if (v.done) { events('Exited'); return; }
      if (v.error) {
        if (!w.cond.required) { progress.note(`WARN[0000] optional dependency ${v.error}\n`); return; }
        events(`service ${v.error}`);
        throw new InvalidArgument(`service ${v.error}`);
      }
    } else {
      // As compose, containers are checked in order and the first one not healthy decides.
      const v = seen.map(healthVerdict).find((x) => !x.done);
      const error = v && !v.done ? v.error : undefined;
      if (error) {
        if (!w.cond.required) { progress.note(`WARN[0000] optional dependency "${w.dep}" failed to start: ${error}\n`); return; }
        events('Error');
        throw new InvalidArgument(`dependency failed to start: ${error}`);
      }
      if (!v) { events('Healthy'); return; }
    }
    await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
