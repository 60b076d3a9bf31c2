// Keeps running containers' rotated logs in order (src/runtime/log-rotation.ts): a poll,
// because inotify on a chatty log would wake wharfd on every write. Costs two stats per
// running container per tick.
import { keepHistory } from '../runtime/log-rotation.js';
import { isActive } from './container.js';
import { runtimePaths, type EngineDeps } from './deps.js';
import { containerLogLimits } from './log-config.js';

const TICK_MS = 250;

export class LogKeeper {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly deps: EngineDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** One pass over the running containers; exported for tests through `start`/`close` only. */
  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const rec of this.deps.store.list()) {
        if (!isActive(rec.state) || rec.state.status === 'restarting') continue;
        const limits = containerLogLimits(rec.spec.hostConfig);
        if (!limits || limits.maxFile < 2) continue;
        const { logPath } = runtimePaths(this.deps.config, this.deps.store.containerDir(rec.spec.id), rec.spec.id);
        await keepHistory(logPath, limits).catch(() => undefined); // removed meanwhile
      }
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
