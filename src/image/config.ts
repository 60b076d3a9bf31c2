// Image-config helpers that need no disk: the host platform in OCI terms, `docker history`
// rows, and `image prune` filters.

import { InvalidArgument } from '../errdefs/index.js';
import { familiarName } from '../reference/reference.js';
import type { ImageHistoryItem, ImageRecord } from './types.js';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): { os: string; architecture: string } {
  return { os: 'linux', architecture: GOARCH[process.arch] ?? process.arch };
}

/**
 * History rows newest first, as Docker returns them: the newest row carries the image's
 * ID and tags, rows that begin a known parent image carry the parent's, others "<missing>".
 */
export function historyItems(
  img: ImageRecord & { layerSizes?: number[] },
  parentOf: (id: string) => (ImageRecord & { layerSizes?: number[] }) | undefined,
): ImageHistoryItem[] {
  const hist = img.config.history ?? [];
  const owners = new Map<number, ImageRecord>();
  for (let cur: ImageRecord | undefined = img; cur; cur = cur.parent ? parentOf(cur.parent) : undefined) {
    const n = cur.config.history?.length ?? 0;
    if (n > 0 && !owners.has(n - 1)) owners.set(n - 1, cur);
  }
  const sizes = img.layerSizes ?? [];
  let layer = 0;
  const rows: ImageHistoryItem[] = hist.map((h, i) => {
    const size = h.empty_layer ? 0 : (sizes[layer++] ?? 0);
    const owner = owners.get(i);
    const tags = owner?.repoTags.map(familiarName) ?? [];
    return {
      Id: owner?.id ?? '<missing>',
      Created: h.created ? Math.floor(Date.parse(h.created) / 1000) : 0,
      CreatedBy: h.created_by ?? '',
      Tags: tags.length > 0 ? tags : null,
      Size: size,
      Comment: h.comment ?? '',
    };
  });
  return rows.reverse();
}

const PRUNE_FILTERS = new Set(['dangling', 'until', 'label', 'label!']);

/** True when `img` passes `until`, `label` and `label!` filters of `image prune`. */
export function validatePruneFilters(filters: Record<string, string[]>): void {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_FILTERS.has(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  }
  for (const u of filters.until ?? []) parseUntil(u, 0);
}

export function matchesPruneFilters(img: ImageRecord | Omit<ImageRecord, 'repoTags' | 'repoDigests'>, filters: Record<string, string[]>, now: number): boolean {
  const created = Date.parse(img.config.created ?? '') || 0;
  for (const u of filters.until ?? []) {
    if (created >= parseUntil(u, now)) return false;
  }
  const labels = img.config.config?.Labels ?? {};
  const has = (f: string) => {
    const eq = f.indexOf('=');
    if (eq === -1) return f in labels;
    return labels[f.slice(0, eq)] === f.slice(eq + 1);
  };
  if (!(filters.label ?? []).every(has)) return false;
  if ((filters['label!'] ?? []).some(has)) return false;
  return true;
}

/** `until` as Docker takes it: a Go duration ("24h", "1h30m") before now, a unix time, or a date. */
export function parseUntil(v: string, now: number): number {
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]!]!;
    return now - ms;
  }
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgument(`failed to parse value ${v} as a timestamp or duration`);
  return t;
}
