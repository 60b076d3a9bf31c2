// Restart policies (`--restart no|always|unless-stopped|on-failure[:N]`), as moby's
// restartmanager and daemon/monitor.go do them:
//
// - After an exit the user did not cause (`stop`/`kill` set `state.stoppedByUser`), the
//   policy decides. A restart increments `RestartCount` (persisted with the record) and
//   leaves the container `restarting` until a back-off timer fires: 100 ms, doubled at
//   each restart up to 1 minute, back to 100 ms once a run lasted 10 s or more.
// - `on-failure:N` restarts on a non-zero exit while RestartCount < N (N = 0: no limit).
// - `stop`/`kill` cancel a pending restart; a user `start` resets RestartCount.
// - At wharfd start (`resume`), containers left `restarting` get their restart, and
//   `always` containers, `unless-stopped` ones the user did not stop, and `on-failure`
//   ones that failed under their limit are started again, if they ever ran (moby's
//   restore with AutoRestart: `always` comes back even after a `stop`).
//
// A policy restart publishes `die` then `start`, as Docker does (no `restart` event:
// that one is for `docker restart`).
import type { HostConfig } from '../contract/index.js';
import { ZERO_TIME, type ContainerRecord } from './container.js';
import type { ContainerStore } from './container-store.js';

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 60_000;
/** A run at least this long resets the back-off (moby: executionDuration ≥ 10 s). */
const RESET_AFTER_MS = 10_000;
/** Delay for restarts resumed at daemon start. */
const RESUME_DELAY_MS = FIRST_BACKOFF_MS;

export type RestartPolicy = NonNullable<HostConfig['RestartPolicy']>;

/** Whether the policy restarts after this exit (moby's RestartManager.ShouldRestart). */
export function policyRestarts(policy: RestartPolicy | undefined, exit: { exitCode: number; stoppedByUser: boolean; restartCount: number }): boolean {
  if (exit.stoppedByUser) return false;
  switch (policy?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const max = policy.MaximumRetryCount ?? 0;
      return exit.exitCode !== 0 && (max === 0 || exit.restartCount < max);
    }
    default:
      return false;
  }
}

/** Whether wharfd starts this stopped container again when it starts itself. */
export function restartsAtBoot(rec: ContainerRecord): boolean {
  const { state } = rec;
  if (state.status !== 'exited' || state.startedAt === ZERO_TIME) return false;
  const policy = rec.spec.hostConfig.RestartPolicy;
  if (policy?.Name === 'always') return true;
  return policyRestarts(policy, state);
}

/** The next back-off: 100 ms, doubling to a 1-minute cap; reset after a long run. */
export function nextBackoff(previousMs: number, ranMs: number): number {
  if (ranMs >= RESET_AFTER_MS || previousMs <= 0) return FIRST_BACKOFF_MS;
  return Math.min(previousMs * 2, MAX_BACKOFF_MS);
}

export class RestartSupervisor {
  /** Last back-off per container (kept while wharfd runs, as moby keeps its manager). */
  private backoffMs = new Map<string, number>();
  private timers = new Map<string, NodeJS.Timeout>();

  /** `startByPolicy` starts a container that is `restarting`, under its lock. */
  constructor(
    private readonly store: ContainerStore,
    private readonly startByPolicy: (id: string) => Promise<void>,
  ) {}

  /**
   * Called under the container's lock as its exit is recorded. When the policy restarts it,
   * RestartCount is incremented here; the caller records the status `restarting` and then
   * calls `schedule`.
   */
  decide(rec: ContainerRecord, exitCode: number): boolean {
    const { state } = rec;
    if (!policyRestarts(rec.spec.hostConfig.RestartPolicy, { exitCode, stoppedByUser: state.stoppedByUser, restartCount: state.restartCount })) {
      this.backoffMs.delete(rec.spec.id);
      return false;
    }
    const ranMs = Date.now() - Date.parse(state.startedAt);
    this.backoffMs.set(rec.spec.id, nextBackoff(this.backoffMs.get(rec.spec.id) ?? 0, ranMs));
    state.restartCount++;
    return true;
  }

  /** Arms the back-off timer of a container `decide` said to restart. */
  schedule(id: string, delayMs = this.backoffMs.get(id) ?? FIRST_BACKOFF_MS): void {
    this.cancel(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.startByPolicy(id).catch(() => undefined);
    }, delayMs);
    this.timers.set(id, timer);
  }

  /** Drops a pending restart (stop, kill, rm); true when one was pending. */
  cancel(id: string): boolean {
    const t = this.timers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.timers.delete(id);
    return true;
  }

  /** A user `start`: the back-off and RestartCount start over (moby's ResetRestartManager). */
  reset(rec: ContainerRecord): void {
    this.cancel(rec.spec.id);
    this.backoffMs.delete(rec.spec.id);
    rec.state.restartCount = 0;
  }

  /** At daemon start, after reconcile: pending restarts resume, boot restarts happen. */
  resume(startAtBoot: (id: string) => Promise<void>): void {
    for (const rec of this.store.list()) {
      const id = rec.spec.id;
      if (rec.state.status === 'restarting') {
        if (!this.timers.has(id)) this.schedule(id, RESUME_DELAY_MS);
      } else if (restartsAtBoot(rec)) {
        void startAtBoot(id).catch(() => undefined);
      }
    }
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
