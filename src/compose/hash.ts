// com.docker.compose.config-hash: the SHA-256 of the service's JSON as compose-go marshals
// it (docker/compose pkg/compose/hash.go ServiceHash): struct fields in ServiceConfig order,
// map keys sorted, Go's HTML escaping, and build, pull_policy, scale, deploy.replicas,
// depends_on and profiles left out (changing those does not recreate a container).
// Same JSON for the same model means containers made by Compose v2 are recognised as
// up to date, within the keys this loader models the way compose-go does.
import { createHash } from 'node:crypto';
import { SERVICE_KEY_ORDER, type Service } from './model.js';

/** Service keys whose values are Go maps (keys sorted when marshalled). */
const MAP_KEYS = new Set(['environment', 'labels', 'networks', 'depends_on', 'ulimits', 'sysctls', 'annotations', 'storage_opt', 'log_opt']);
const DEPLOY_ORDER = ['mode', 'replicas', 'labels', 'update_config', 'rollback_config', 'resources', 'restart_policy', 'placement', 'endpoint_mode'];

function goString(s: string): string {
  return JSON.stringify(s).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Go-style JSON: `sortKeys` for maps; objects otherwise keep their (struct) order. */
export function goJson(v: unknown, sortKeys = false): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => goJson(x)).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${goString(k)}:${goJson(x, false)}`).join(',')}}`;
}

export function serviceJson(s: Service): string {
  const parts: string[] = [];
  for (const k of SERVICE_KEY_ORDER) {
    let v = s[k];
    if (k === 'command' || k === 'entrypoint') { parts.push(`${goString(k)}:${goJson(v ?? null)}`); continue; }
    if (v === undefined) continue;
    if (k === 'deploy') {
      const d: Record<string, unknown> = { ...(v as Record<string, unknown>), resources: (v as Record<string, unknown>).resources ?? {}, placement: (v as Record<string, unknown>).placement ?? {} };
      v = Object.fromEntries(DEPLOY_ORDER.filter((x) => d[x] !== undefined).map((x) => [x, d[x]]));
    }
    if (MAP_KEYS.has(k)) {
      const m = Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      parts.push(`${goString(k)}:${goJson(m, true)}`);
      continue;
    }
    parts.push(`${goString(k)}:${goJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

export function serviceHash(s: Service): string {
  const { build: _b, pull_policy: _p, scale: _s, depends_on: _d, profiles: _pr, ...rest } = s;
  void _b; void _p; void _s; void _d; void _pr;
  const h: Service = { ...rest, name: s.name, command: s.command, entrypoint: s.entrypoint };
  if (h.deploy) {
    const { replicas: _r, ...d } = h.deploy;
    void _r;
    h.deploy = d;
  }
  return createHash('sha256').update(serviceJson(h)).digest('hex');
}
