// Which events a `GET /events` subscriber wants, as moby's daemon/events/filter.go decides:
// every filter key given must match (values of one key are alternatives), and the time
// window is [since, until].
import { getTimestamp } from '../units/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import type { EngineEvent } from './events.js';

type Filters = Record<string, string[]>;

const KNOWN_KEYS = ['config', 'container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'secret', 'service', 'type', 'volume'];

/** Moby's FuzzyMatch: no filter, an exact value, or a prefix of it. */
function fuzzy(filters: Filters, key: string, source: string | undefined): boolean {
  const values = filters[key];
  if (!values?.length) return true;
  return source !== undefined && values.some((v) => source === v || source.startsWith(v));
}

function exact(filters: Filters, key: string, source: string | undefined): boolean {
  const values = filters[key];
  if (!values?.length) return true;
  return source !== undefined && values.includes(source);
}

/** `busybox:latest` → `busybox`, `docker.io/library/x:1` → `x` (moby's stripTag on familiar names). */
function stripTag(ref: string): string {
  let name = ref.split('@')[0] as string;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  return name.replace(/^docker\.io\/(library\/)?/, '');
}

function matchLabels(filters: Filters, attrs: Record<string, string>): boolean {
  return (filters.label ?? []).every((l) => {
    const eq = l.indexOf('=');
    return eq < 0 ? l in attrs : attrs[l.slice(0, eq)] === l.slice(eq + 1);
  });
}

/** Throws Docker's error for an unknown filter key; returns the matcher. */
export function eventFilter(filters: Filters): (e: EngineEvent) => boolean {
  for (const key of Object.keys(filters)) if (!KNOWN_KEYS.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  // exec_create/exec_start/health_status carry details after a colon ("exec_start: sh -c …").
  const fuzzyEvent = (filters.event ?? []).some((v) => ['exec_create', 'exec_start', 'health_status'].includes(v));
  return (e) => {
    const attrs = e.Actor.Attributes;
    const imageName = e.Type === 'image' ? attrs.name : attrs.image;
    return (
      (fuzzyEvent ? fuzzy(filters, 'event', e.Action) : exact(filters, 'event', e.Action)) &&
      exact(filters, 'type', e.Type) &&
      exact(filters, 'scope', e.scope) &&
      (fuzzy(filters, 'container', e.Actor.ID) || fuzzy(filters, 'container', attrs.name)) &&
      (exact(filters, 'image', e.Actor.ID) || exact(filters, 'image', imageName) || exact(filters, 'image', stripTag(e.Actor.ID)) || (imageName !== undefined && exact(filters, 'image', stripTag(imageName)))) &&
      (fuzzy(filters, 'network', e.Actor.ID) || fuzzy(filters, 'network', attrs.name)) &&
      (fuzzy(filters, 'volume', e.Actor.ID) || fuzzy(filters, 'volume', attrs.name)) &&
      (fuzzy(filters, 'daemon', e.Actor.ID) || fuzzy(filters, 'daemon', attrs.name)) &&
      matchLabels(filters, attrs)
    );
  };
}

/**
 * An events `since`/`until` value in unix seconds: `1700000000[.123456789]` (what the
 * docker CLI sends), an RFC 3339 time, or a Go duration before now ("10m", "1h30m").
 */
export function parseEventTime(value: string, now = Date.now()): number {
  try {
    return getTimestamp(value, now);
  } catch (err) {
    throw new InvalidArgument((err as Error).message);
  }
}

/** Whether an event falls in [since, until] (unix seconds; undefined: unbounded). */
export function inWindow(e: EngineEvent, since: number | undefined, until: number | undefined): boolean {
  const s = e.timeNano / 1e9;
  return (since === undefined || s >= since) && (until === undefined || s <= until);
}
