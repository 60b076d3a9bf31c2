// The compose spec's merge rules for override files and `extends`, on canonical services:
// mappings merge key by key (the override wins); command, entrypoint and healthcheck.test
// are replaced; volumes, secrets and configs merge by target path; ports and other
// sequences are appended without duplicates; every other scalar is replaced.
import type { Service, VolumeMount, FileRef } from './model.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const REPLACE = new Set(['command', 'entrypoint']);
const BY_TARGET = new Set(['volumes', 'secrets', 'configs']);

function deepMerge(base: unknown, over: unknown): unknown {
  if (isObj(base) && isObj(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) return appendUnique(base, over);
  return over === undefined ? base : over;
}

function appendUnique(a: unknown[], b: unknown[]): unknown[] {
  const seen = new Set(a.map((x) => JSON.stringify(x)));
  return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
}

function mergeByTarget<T extends VolumeMount | FileRef>(a: T[], b: T[], key: (x: T) => string): T[] {
  const out = [...a];
  for (const x of b) {
    const i = out.findIndex((y) => key(y) === key(x));
    if (i >= 0) out[i] = x;
    else out.push(x);
  }
  return out;
}

/** `over` applied on top of `base` (both canonical); returns a new service. */
export function mergeService(base: Service, over: Service): Service {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === 'name') continue;
    const cur = out[k];
    if (REPLACE.has(k)) { if (v !== null) out[k] = v; continue; }
    if (cur === undefined || cur === null) { out[k] = v; continue; }
    if (BY_TARGET.has(k)) {
      out[k] = k === 'volumes'
        ? mergeByTarget(cur as VolumeMount[], v as VolumeMount[], (m) => m.target)
        : mergeByTarget(cur as FileRef[], v as FileRef[], (r) => r.target ?? r.source);
      continue;
    }
    if (k === 'healthcheck' && isObj(v) && 'test' in v) { out[k] = { ...(cur as object), ...v }; continue; }
    if (k === 'logging' && isObj(v) && isObj(cur) && v.driver !== undefined && v.driver !== cur.driver) { out[k] = v; continue; }
    out[k] = deepMerge(cur, v);
  }
  return out as Service;
}

/** Top-level sections (networks, volumes, secrets, configs) merge as mappings. */
export function mergeSection<T>(base: Record<string, T>, over: Record<string, T>): Record<string, T> {
  return deepMerge(base, over) as Record<string, T>;
}
