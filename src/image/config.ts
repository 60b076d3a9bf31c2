// Image-config helpers that need no disk: the host platform in OCI terms, `docker history`
// rows, and `image prune` filters.

import { getTimestamp } from '../units/index.js';
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

/** `until=` of prune and list filters (docker's GetTimestamp), in epoch milliseconds. */
export function parseUntil(v: string, now = Date.now()): number {
  try {
    return getTimestamp(v, now) * 1000;
  } catch (err) {
    throw new InvalidArgument((err as Error).message);
  }
}
