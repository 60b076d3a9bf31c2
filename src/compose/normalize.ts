// One service from a file's raw YAML to the canonical model (see model.ts). Type errors
// name the file and key path, as compose's schema validation does.
import { existsSync, readFileSync } from 'node:fs';
import { InvalidArgument } from '../errdefs/index.js';
import { parseDotEnv } from './dotenv.js';
import type { Lookup } from './interpolate.js';
import { SERVICE_KEYS, type DependsOn, type FileRef, type HealthCheck, type PortConfig, type Service, type VolumeMount } from './model.js';
import { ordered, orderedVolume, parsePortShort, parseVolumeShort, resolvePath, shellSplit } from './short-syntax.js';

export interface NormalizeContext {
  /** The file being read, for messages. */
  file: string;
  /** Relative paths resolve against the project directory. */
  baseDir: string;
  /** For `environment: [NAME]` entries without a value. */
  lookup: Lookup;
}

type Raw = Record<string, unknown>;

export class SchemaError extends InvalidArgument {}

function fail(ctx: NormalizeContext, where: string, what: string): never {
  throw new SchemaError(`validating ${ctx.file}: ${where} ${what}`);
}

const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const scalar = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function strList(ctx: NormalizeContext, where: string, v: unknown): string[] {
  if (typeof v === 'string' || typeof v === 'number') return [String(v)];
  if (!Array.isArray(v)) fail(ctx, where, 'must be a string or a list of strings');
  return v.map((x, k) => { if (isObj(x) || Array.isArray(x)) fail(ctx, `${where}.${k}`, 'must be a string'); return scalar(x); });
}

/** `[K=V, K]` or `{K: V}` → map; a bare `K` takes its value from the environment (null if unset) when `fromEnv`. */
export function kvMap(ctx: NormalizeContext, where: string, v: unknown, o: { fromEnv: boolean; sep?: string }): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalar(item);
      const i = s.indexOf(o.sep ?? '=');
      if (i < 0) out[s] = o.fromEnv ? (ctx.lookup(s) ?? null) : '';
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
    return out;
  }
  if (!isObj(v)) fail(ctx, where, 'must be a mapping or a list');
  for (const [k, x] of Object.entries(v)) {
    if (isObj(x) || Array.isArray(x)) fail(ctx, `${where}.${k}`, 'must be a string, number, boolean or null');
    out[k] = x === null ? (o.fromEnv ? (ctx.lookup(k) ?? null) : '') : String(x);
  }
  return out;
}

function strMap(ctx: NormalizeContext, where: string, v: unknown): Record<string, string> {
  return kvMap(ctx, where, v, { fromEnv: false }) as Record<string, string>;
}

function command(ctx: NormalizeContext, where: string, v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return shellSplit(v);
  if (Array.isArray(v)) return v.map(scalar);
  fail(ctx, where, 'must be a string or a list');
}

function int(ctx: NormalizeContext, where: string, v: unknown): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(ctx, where, 'must be an integer');
  return n;
}

function bool(ctx: NormalizeContext, where: string, v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  fail(ctx, where, 'must be a boolean');
}

function ports(ctx: NormalizeContext, where: string, v: unknown): PortConfig[] {
  if (!Array.isArray(v)) fail(ctx, where, 'must be a list');
  return v.flatMap((p, k): PortConfig[] => {
    if (typeof p === 'number' || typeof p === 'string') {
      try { return parsePortShort(String(p)); } catch (e) { fail(ctx, `${where}.${k}`, (e as Error).message); }
    }
    if (!isObj(p)) fail(ctx, `${where}.${k}`, 'must be a string, number or mapping');
    if (p.target === undefined) fail(ctx, `${where}.${k}`, 'target is required');
    return [ordered({
      name: p.name === undefined ? undefined : scalar(p.name), mode: p.mode === undefined ? 'ingress' : scalar(p.mode),
      host_ip: p.host_ip === undefined ? undefined : scalar(p.host_ip), target: int(ctx, `${where}.${k}.target`, p.target),
      published: p.published === undefined ? undefined : scalar(p.published), protocol: p.protocol === undefined ? 'tcp' : scalar(p.protocol),
      app_protocol: p.app_protocol === undefined ? undefined : scalar(p.app_protocol),
    })];
  });
}

function volumes(ctx: NormalizeContext, where: string, v: unknown): VolumeMount[] {
  if (!Array.isArray(v)) fail(ctx, where, 'must be a list');
  return v.map((m, k) => {
    if (typeof m === 'string') { try { return parseVolumeShort(m, ctx.baseDir); } catch (e) { fail(ctx, `${where}.${k}`, (e as Error).message); } }
    if (!isObj(m)) fail(ctx, `${where}.${k}`, 'must be a string or mapping');
    const type = scalar(m.type);
    if (!['volume', 'bind', 'tmpfs'].includes(type)) fail(ctx, `${where}.${k}.type`, `must be one of volume, bind, tmpfs`);
    if (!m.target) fail(ctx, `${where}.${k}`, 'target is required');
    const out: VolumeMount = { type: type as VolumeMount['type'], target: scalar(m.target) };
    if (m.source !== undefined) out.source = type === 'bind' ? resolvePath(ctx.baseDir, scalar(m.source)) : scalar(m.source);
    if (m.read_only !== undefined) out.read_only = bool(ctx, `${where}.${k}.read_only`, m.read_only) || undefined;
    if (type === 'bind') out.bind = { create_host_path: true, ...(isObj(m.bind) ? m.bind : {}) } as VolumeMount['bind'];
    if (type === 'volume') out.volume = isObj(m.volume) ? (m.volume as VolumeMount['volume']) : {};
    if (type === 'tmpfs' && isObj(m.tmpfs)) out.tmpfs = m.tmpfs as VolumeMount['tmpfs'];
    return orderedVolume(out);
  });
}

function dependsOn(ctx: NormalizeContext, where: string, v: unknown): Record<string, DependsOn> {
  const out: Record<string, DependsOn> = {};
  if (Array.isArray(v)) { for (const s of v) out[scalar(s)] = { condition: 'service_started', required: true }; return out; }
  if (!isObj(v)) fail(ctx, where, 'must be a list or a mapping');
  for (const [k, x] of Object.entries(v)) {
    const d = isObj(x) ? x : {};
    const condition = scalar(d.condition ?? 'service_started');
    if (!['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition)) fail(ctx, `${where}.${k}.condition`, 'must be one of service_started, service_healthy, service_completed_successfully');
    const dep: DependsOn = { condition: condition as DependsOn['condition'], required: d.required === undefined ? true : bool(ctx, `${where}.${k}.required`, d.required) };
    if (d.restart !== undefined) dep.restart = bool(ctx, `${where}.${k}.restart`, d.restart);
    out[k] = dep;
  }
  return out;
}

function healthcheck(ctx: NormalizeContext, where: string, v: unknown): HealthCheck {
  if (!isObj(v)) fail(ctx, where, 'must be a mapping');
  const h: HealthCheck = {};
  if (v.test !== undefined) h.test = typeof v.test === 'string' ? ['CMD-SHELL', v.test] : strList(ctx, `${where}.test`, v.test);
  for (const k of ['timeout', 'interval', 'start_period', 'start_interval'] as const) if (v[k] !== undefined) h[k] = scalar(v[k]);
  if (v.retries !== undefined) h.retries = int(ctx, `${where}.retries`, v.retries);
  if (v.disable !== undefined) h.disable = bool(ctx, `${where}.disable`, v.disable);
  // compose-go's order: test, timeout, interval, retries, start_period, start_interval, disable.
  const o: Record<string, unknown> = {};
  for (const k of ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable']) if ((h as Record<string, unknown>)[k] !== undefined) o[k] = (h as Record<string, unknown>)[k];
  return o as HealthCheck;
}

function fileRefs(ctx: NormalizeContext, where: string, v: unknown): FileRef[] {
  if (!Array.isArray(v)) fail(ctx, where, 'must be a list');
  return v.map((x, k) => {
    if (typeof x === 'string') return { source: x };
    if (!isObj(x) || !x.source) fail(ctx, `${where}.${k}`, 'must be a string or a mapping with source');
    return { source: scalar(x.source), ...(x.target !== undefined ? { target: scalar(x.target) } : {}), ...(x.uid !== undefined ? { uid: scalar(x.uid) } : {}), ...(x.gid !== undefined ? { gid: scalar(x.gid) } : {}), ...(x.mode !== undefined ? { mode: int(ctx, `${where}.${k}.mode`, x.mode) } : {}) };
  });
}

function envFiles(ctx: NormalizeContext, where: string, v: unknown): Record<string, string | null> {
  const list = typeof v === 'string' ? [{ path: v, required: true }] : Array.isArray(v) ? v.map((x) => (isObj(x) ? { path: scalar(x.path), required: x.required !== false } : { path: scalar(x), required: true })) : fail(ctx, where, 'must be a string or a list');
  const env: Record<string, string | null> = {};
  for (const f of list) {
    const file = resolvePath(ctx.baseDir, f.path);
    if (!existsSync(file)) {
      if (f.required) throw new InvalidArgument(`env file ${file} not found: stat ${file}: no such file or directory`);
      continue;
    }
    Object.assign(env, parseDotEnv(readFileSync(file, 'utf8'), ctx.lookup, file));
  }
  return env;
}

/** Reads one service. `raw` has been interpolated; `extends` is resolved by the loader. */
export function normalizeService(name: string, raw: unknown, ctx: NormalizeContext): Service {
  const where = `services.${name}`;
  if (raw === null || raw === undefined) raw = {};
  if (!isObj(raw)) fail(ctx, where, 'must be a mapping');
  const s: Service = { name, command: null, entrypoint: null };
  for (const [k, v] of Object.entries(raw)) {
    const at = `${where}.${k}`;
    if (!SERVICE_KEYS.has(k) && !k.startsWith('x-')) fail(ctx, where, `additional property ${k} is not allowed`);
    if (v === null && k !== 'command' && k !== 'entrypoint') continue;
    switch (k) {
      case 'build': {
        const b = typeof v === 'string' ? { context: v } : isObj(v) ? v : fail(ctx, at, 'must be a string or a mapping');
        s.build = { context: resolvePath(ctx.baseDir, scalar(b.context ?? '.')), dockerfile: scalar(b.dockerfile ?? 'Dockerfile') };
        if (b.args !== undefined) s.build.args = kvMap(ctx, `${at}.args`, b.args, { fromEnv: true });
        if (b.target !== undefined) s.build.target = scalar(b.target);
        if (b.labels !== undefined) s.build.labels = strMap(ctx, `${at}.labels`, b.labels);
        if (b.no_cache !== undefined) s.build.no_cache = bool(ctx, `${at}.no_cache`, b.no_cache);
        if (b.network !== undefined) s.build.network = scalar(b.network);
        if (b.tags !== undefined) s.build.tags = strList(ctx, `${at}.tags`, b.tags);
        if (b.extra_hosts !== undefined) s.build.extra_hosts = strList(ctx, `${at}.extra_hosts`, b.extra_hosts);
        break;
      }
      case 'command': case 'entrypoint': s[k] = command(ctx, at, v); break;
      case 'environment': s.environment = { ...(s.environment ?? {}), ...kvMap(ctx, at, v, { fromEnv: true }) }; break;
      case 'env_file': s.environment = { ...envFiles(ctx, at, v), ...(s.environment ?? {}) }; break;
      case 'labels': s.labels = strMap(ctx, at, v); break;
      case 'ports': s.ports = ports(ctx, at, v); break;
      case 'expose': s.expose = strList(ctx, at, v); break;
      case 'volumes': s.volumes = volumes(ctx, at, v); break;
      case 'depends_on': s.depends_on = dependsOn(ctx, at, v); break;
      case 'healthcheck': s.healthcheck = healthcheck(ctx, at, v); break;
      case 'networks': {
        if (Array.isArray(v)) s.networks = Object.fromEntries(v.map((n) => [scalar(n), null]));
        else if (isObj(v)) s.networks = Object.fromEntries(Object.entries(v).map(([n, c]) => [n, isObj(c) ? c as Service['networks'] extends Record<string, infer T> ? T : never : null]));
        else fail(ctx, at, 'must be a list or a mapping');
        break;
      }
      case 'extra_hosts': s.extra_hosts = isObj(v) ? Object.entries(v).map(([h, ip]) => `${h}=${scalar(ip)}`) : strList(ctx, at, v); break;
      case 'dns': case 'tmpfs': case 'cap_add': case 'cap_drop': case 'profiles': case 'dns_search': case 'security_opt': s[k] = strList(ctx, at, v); break;
      case 'secrets': case 'configs': s[k] = fileRefs(ctx, at, v); break;
      case 'scale': s.scale = int(ctx, at, v); break;
      case 'privileged': case 'read_only': case 'init': case 'tty': case 'stdin_open': s[k] = bool(ctx, at, v); break;
      case 'ulimits': {
        if (!isObj(v)) fail(ctx, at, 'must be a mapping');
        s.ulimits = Object.fromEntries(Object.entries(v).map(([n, l]) => [n, isObj(l) ? { soft: int(ctx, `${at}.${n}.soft`, l.soft), hard: int(ctx, `${at}.${n}.hard`, l.hard) } : { single: int(ctx, `${at}.${n}`, l) }]));
        break;
      }
      case 'deploy': {
        if (!isObj(v)) fail(ctx, at, 'must be a mapping');
        s.deploy = { ...v } as Service['deploy'];
        if (v.replicas !== undefined) s.deploy!.replicas = int(ctx, `${at}.replicas`, v.replicas);
        break;
      }
      case 'logging': {
        if (!isObj(v)) fail(ctx, at, 'must be a mapping');
        s.logging = { ...(v.driver !== undefined ? { driver: scalar(v.driver) } : {}), ...(v.options !== undefined ? { options: strMap(ctx, `${at}.options`, v.options) } : {}) };
        break;
      }
      case 'extends': break;
      case 'user': case 'working_dir': case 'hostname': case 'image': case 'container_name': case 'restart': case 'network_mode':
      case 'stop_signal': case 'stop_grace_period': case 'pull_policy': case 'platform': case 'domainname': case 'pid': case 'ipc':
        if (isObj(v) || Array.isArray(v)) fail(ctx, at, 'must be a string');
        s[k] = scalar(v);
        break;
      default: s[k] = v;
    }
  }
  if (s.scale !== undefined && s.deploy?.replicas !== undefined && s.scale !== s.deploy.replicas) {
    fail(ctx, where, `scale and deploy.replicas differ (${s.scale} and ${s.deploy.replicas})`);
  }
  return s;
}
