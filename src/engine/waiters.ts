// Promises that resolve when a container next exits or is removed (`wait`, `stop`, `rm -f`).
export class Waiters {
  private exitWaiters = new Map<string, Set<(code: number) => void>>();
  private processExitWaiters = new Map<string, Set<(code: number) => void>>();
  private removeWaiters = new Map<string, Set<(code: number) => void>>();
  private lastExit = new Map<string, number>();

  nextExit(id: string): Promise<number> {
    return new Promise((resolve) => add(this.exitWaiters, id, resolve));
  }

  /**
   * Resolves as soon as the container's process is gone and conmon has written all of its
   * output to the log, before the engine's cleanup (runtime delete, unmount, records), which
   * `nextExit` waits for. For readers of the log and the upper dir, which need no more.
   */
  nextProcessExit(id: string): Promise<number> {
    return new Promise((resolve) => add(this.processExitWaiters, id, resolve));
  }

  processExited(id: string, code: number): void {
    fire(this.processExitWaiters, id, code);
  }

  removed(id: string, signal: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      add(this.removeWaiters, id, resolve);
      signal.addEventListener('abort', () => reject(new Error('client went away')), { once: true });
    });
  }

  exited(id: string, code: number): void {
    // Process-exit waiters learn it here too: a start that failed has no process exit of its
    // own, and one registered during the teardown (the process gone, the record still
    // running) came after processExited fired.
    fire(this.processExitWaiters, id, code);
    this.lastExit.set(id, code);
    fire(this.exitWaiters, id, code);
  }

  wasRemoved(id: string, code: number): void {
    fire(this.removeWaiters, id, this.lastExit.get(id) ?? code);
    this.lastExit.delete(id);
  }
}

function add(map: Map<string, Set<(code: number) => void>>, id: string, fn: (code: number) => void): void {
  let set = map.get(id);
  if (!set) map.set(id, (set = new Set()));
  set.add(fn);
}

function fire(map: Map<string, Set<(code: number) => void>>, id: string, code: number): void {
  const set = map.get(id);
  map.delete(id);
  for (const fn of set ?? []) fn(code);
}
