// Docker's JSON progress messages (pkg/jsonmessage, pkg/progress): per-layer lines keyed by
// the short layer ID, and the bar text the docker CLI prints when it is not on a terminal.
import { humanSize } from '../units/index.js';
import type { ProgressSink } from './types.js';

/** `[=====>     ]  1.2MB/3.4MB` as jsonmessage.JSONProgress.String renders it. */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return humanSize(current);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  return `[${'='.repeat(pct)}>${' '.repeat(50 - pct)}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** Per-layer progress lines, throttled so a fast download does not flood the client. */
export class LayerProgress {
  private last = 0;
  constructor(
    private readonly sink: ProgressSink,
    readonly id: string,
    private readonly action: 'Downloading' | 'Pushing' | 'Extracting',
    private readonly total: number,
  ) {}

  status(status: string): void {
    this.sink({ status, progressDetail: {}, id: this.id });
  }

  update(current: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    this.sink({ status: this.action, progressDetail: { current, total: this.total }, progress: progressBar(current, this.total), id: this.id });
  }
}
