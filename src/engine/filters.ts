// Docker's `ps --filter` semantics: values of one key are OR-ed, keys are AND-ed.
import { InvalidArgument } from '../errdefs/index.js';
import type { ContainerRecord } from './container.js';

export type Filters = Record<string, string[]>;

const CONTAINER_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'network', 'health', 'is-task', 'volume', 'publish', 'expose'];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** `label=k` matches a key, `label=k=v` a key and value; `label!=…` negates (prune). */
export function matchLabels(labels: Record<string, string>, wanted: string[] = []): boolean {
  return wanted.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return w in labels;
    return labels[w.slice(0, i)] === w.slice(i + 1);
  });
}

export interface ContainerFilterContext {
  resolve(ref: string): ContainerRecord | undefined;
  /** `volume=`: whether the container mounts that volume name, host path or destination. */
  usesVolume?(rec: ContainerRecord, value: string): boolean;
  /** Image IDs an `ancestor=` value names (the image and, for tags, its ID). */
  ancestorIds(ref: string): string[];
}

export function containerFilter(filters: Filters, ctx: ContainerFilterContext): (rec: ContainerRecord) => boolean {
  for (const key of Object.keys(filters)) if (!CONTAINER_FILTERS.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  for (const s of filters.status ?? []) {
    if (!STATUSES.includes(s)) throw new InvalidArgument(`invalid filter 'status=${s}'`);
  }
  const before = filters.before?.map((r) => ctx.resolve(r));
  const since = filters.since?.map((r) => ctx.resolve(r));
  for (const [i, r] of (filters.before ?? []).entries()) if (!before?.[i]) throw new InvalidArgument(`No such container: ${r}`);
  for (const [i, r] of (filters.since ?? []).entries()) if (!since?.[i]) throw new InvalidArgument(`No such container: ${r}`);
  const ancestors = filters.ancestor ? new Set(filters.ancestor.flatMap((a) => ctx.ancestorIds(a))) : undefined;

  return (rec) => {
    const { spec, state } = rec;
    if (filters.id && !filters.id.some((v) => spec.id.startsWith(v))) return false;
    if (filters.name && !filters.name.some((v) => new RegExp(v.replace(/^\//, '')).test(spec.name))) return false;
    if (filters.label && !matchLabels(spec.config.Labels ?? {}, filters.label)) return false;
    if (filters.status && !filters.status.includes(state.status)) return false;
    if (filters.exited && !(state.status === 'exited' && filters.exited.includes(String(state.exitCode)))) return false;
    if (ancestors && !ancestors.has(spec.imageId)) return false;
    if (before && !before.every((b) => Date.parse(spec.created) < Date.parse(b!.spec.created))) return false;
    if (since && !since.every((s) => Date.parse(spec.created) > Date.parse(s!.spec.created))) return false;
    if (filters.network && !filters.network.includes(spec.hostConfig.NetworkMode ?? 'bridge')) return false;
    if (filters.volume && ctx.usesVolume && !filters.volume.some((v) => ctx.usesVolume!(rec, v))) return false;
    return true;
  };
}

/** `until=` of prune and list filters: the image store's parser, one for every list. */
export { parseUntil } from '../image/config.js';
