// A service (one replica) as the Engine API's container create body, as compose v2's
// getCreateConfigs builds it: compose labels, the project network with the service name
// as alias, named volumes under their project names, file secrets/configs bind-mounted.
import path from 'node:path';
import type { ContainerCreateBody } from '../client/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import { parseGoDuration } from '../units/index.js';
import * as L from './labels.js';
import type { InheritedMount } from './inherit.js';
import type { Project, Service } from './model.js';

/** A compose duration (Go's time.ParseDuration: `1m30s`, `500ms`) → nanoseconds. */
export function durationNs(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  try {
    return parseGoDuration(s);
  } catch (err) {
    throw new InvalidArgument((err as Error).message);
  }
}

/** `512m`, `1g`, `1048576` → bytes (compose's units: b, k, m, g, with an optional trailing b). */
export function bytes(s: string | number | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (typeof s === 'number') return s;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/i.exec(s.trim());
  if (!m) throw new InvalidArgument(`invalid size: '${s}'`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(m[1]) * (mult[(m[2] as string).toLowerCase()] as number));
}

export function containerName(project: Project, s: Service, n: number): string {
  return s.container_name ?? `${project.name}-${s.name}-${n}`;
}

/** The image a service runs: `image:`, or `<project>-<service>` for a build-only service. */
export function imageName(project: Project, s: Service): string {
  return s.image ?? `${project.name}-${s.name}`;
}

export function serviceLabels(project: Project, s: Service, o: { number: number; hash: string; oneoff: boolean; imageId?: string }): Record<string, string> {
  const labels: Record<string, string> = {
    ...(s.labels ?? {}),
    [L.PROJECT]: project.name,
    [L.SERVICE]: s.name,
    [L.CONTAINER_NUMBER]: String(o.number),
    [L.CONFIG_HASH]: o.hash,
    [L.ONEOFF]: o.oneoff ? 'True' : 'False',
    [L.WORKING_DIR]: project.workingDir,
    [L.CONFIG_FILES]: project.configFiles.join(','),
    [L.VERSION]: L.COMPOSE_VERSION,
    [L.DEPENDS_ON]: Object.entries(s.depends_on ?? {}).map(([d, c]) => `${d}:${c.condition}:${c.restart ?? false}`).join(','),
  };
  if (project.envFiles.length) labels[L.ENVIRONMENT_FILE] = project.envFiles.join(',');
  if (o.imageId) labels[L.IMAGE] = o.imageId;
  return labels;
}

export interface CreateRequest { name: string; body: ContainerCreateBody; /** Networks to connect after create (the API takes one at create). */ more: { network: string; endpoint: Record<string, unknown> }[] }

/** Compose v2's aliases: the container's name, then the service's name and its aliases. */
function endpoint(s: Service, key: string, container: string): Record<string, unknown> {
  const cfg = s.networks?.[key] ?? null;
  const e: Record<string, unknown> = { Aliases: [container, s.name, ...(cfg?.aliases ?? [])] };
  if (cfg?.ipv4_address || cfg?.ipv6_address) e.IPAMConfig = { ...(cfg.ipv4_address ? { IPv4Address: cfg.ipv4_address } : {}), ...(cfg.ipv6_address ? { IPv6Address: cfg.ipv6_address } : {}) };
  return e;
}

function networkMode(project: Project, s: Service, containerOf: (svc: string) => string | undefined): string {
  const nm = s.network_mode;
  if (!nm) return '';
  if (nm.startsWith('service:')) {
    const target = containerOf(nm.slice(8));
    if (!target) throw new InvalidArgument(`service ${s.name} uses the network stack of service ${nm.slice(8)}, which has no container`);
    return `container:${target}`;
  }
  void project;
  return nm;
}

export interface CreateOptions {
  number: number;
  hash: string;
  oneoff?: boolean;
  imageId?: string;
  name?: string;
  containerOf?: (svc: string) => string | undefined;
  /** A recreate's inherited anonymous volumes (inherit.ts); a service mount with a source at the same path wins. */
  inherit?: InheritedMount[];
}

export function createRequest(project: Project, s: Service, o: CreateOptions): CreateRequest {
  const nets = Object.keys(s.networks ?? {}).sort((a, b) => ((s.networks?.[b]?.priority ?? 0) - (s.networks?.[a]?.priority ?? 0)) || (a < b ? -1 : a > b ? 1 : 0));
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of s.ports ?? []) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    if (p.published !== undefined || p.host_ip) (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  for (const e of s.expose ?? []) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  const binds: string[] = [];
  const mounts: Record<string, unknown>[] = [];
  const sourced = new Set((s.volumes ?? []).filter((v) => v.source).map((v) => v.target));
  const inherited = (o.inherit ?? []).filter((m) => !sourced.has(m.Target));
  mounts.push(...inherited.map((m) => ({ ...m })));
  const taken = new Set(inherited.map((m) => m.Target));
  for (const v of s.volumes ?? []) {
    if (taken.has(v.target)) continue;
    if (v.type === 'bind' && v.bind?.create_host_path !== false && !v.bind?.propagation) {
      const opts = [...(v.read_only ? ['ro'] : []), ...(v.bind?.selinux ? [v.bind.selinux] : [])];
      binds.push(`${v.source}:${v.target}${opts.length ? `:${opts.join(',')}` : ''}`);
      continue;
    }
    const m: Record<string, unknown> = { Type: v.type, Target: v.target, ReadOnly: v.read_only ?? false };
    if (v.type === 'volume' && v.source) m.Source = project.volumes[v.source]?.name ?? v.source;
    if (v.type === 'bind') { m.Source = v.source; if (v.bind?.propagation) m.BindOptions = { Propagation: v.bind.propagation }; }
    if (v.type === 'volume' && v.volume?.nocopy) m.VolumeOptions = { NoCopy: true };
    if (v.type === 'tmpfs' && v.tmpfs) m.TmpfsOptions = { SizeBytes: v.tmpfs.size, Mode: v.tmpfs.mode };
    mounts.push(m);
  }
  for (const r of s.secrets ?? []) {
    const obj = project.secrets[r.source];
    if (!obj?.file) throw new InvalidArgument(`secret ${r.source}: only file-based secrets are supported`);
    const target = r.target ? (r.target.startsWith('/') ? r.target : `/run/secrets/${r.target}`) : `/run/secrets/${r.source}`;
    mounts.push({ Type: 'bind', Source: obj.file, Target: target, ReadOnly: true });
  }
  for (const r of s.configs ?? []) {
    const obj = project.configs[r.source];
    if (!obj?.file) throw new InvalidArgument(`config ${r.source}: only file-based configs are supported`);
    mounts.push({ Type: 'bind', Source: obj.file, Target: r.target ?? `/${r.source}`, ReadOnly: true });
  }
  const env = Object.entries(s.environment ?? {}).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`);
  const limits = s.deploy?.resources?.limits;
  const hc: Record<string, unknown> = {
    NetworkMode: networkMode(project, s, o.containerOf ?? (() => undefined)) || (nets[0] ? project.networks[nets[0]]?.name : undefined),
    RestartPolicy: restartPolicy(s.restart),
    PortBindings: Object.keys(bindings).length ? bindings : undefined,
    Binds: binds.length ? binds : undefined,
    Mounts: mounts.length ? mounts : undefined,
    Privileged: s.privileged || undefined,
    ReadonlyRootfs: s.read_only || undefined,
    Init: s.init,
    CapAdd: s.cap_add, CapDrop: s.cap_drop,
    Dns: s.dns, DnsSearch: s.dns_search,
    ExtraHosts: s.extra_hosts?.map((h) => h.replace('=', ':')),
    SecurityOpt: s.security_opt,
    Tmpfs: s.tmpfs ? Object.fromEntries(s.tmpfs.map((t) => { const i = t.indexOf(':'); return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)]; })) : undefined,
    Ulimits: s.ulimits ? Object.entries(s.ulimits).map(([Name, l]) => ({ Name, Soft: l.single ?? l.soft, Hard: l.single ?? l.hard })) : undefined,
    LogConfig: s.logging ? { Type: s.logging.driver ?? '', Config: s.logging.options ?? {} } : undefined,
    Memory: bytes(limits?.memory ?? (s.mem_limit as string | undefined)),
    NanoCpus: limits?.cpus !== undefined ? Math.round(Number(limits.cpus) * 1e9) : s.cpus !== undefined ? Math.round(Number(s.cpus) * 1e9) : undefined,
    PidsLimit: limits?.pids ?? (s.pids_limit as number | undefined),
  };
  const config: Record<string, unknown> = {
    Hostname: s.hostname, Domainname: s.domainname, User: s.user,
    Env: env.length ? env : undefined,
    Cmd: s.command ?? undefined, Entrypoint: s.entrypoint ?? undefined,
    Image: s.image ?? `${project.name}-${s.name}`,
    WorkingDir: s.working_dir,
    Labels: serviceLabels(project, s, { number: o.number, hash: o.hash, oneoff: o.oneoff ?? false, imageId: o.imageId }),
    StopSignal: s.stop_signal,
    StopTimeout: s.stop_grace_period !== undefined ? Math.round((durationNs(s.stop_grace_period) as number) / 1e9) : undefined,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Tty: s.tty || undefined, OpenStdin: s.stdin_open || undefined,
    Healthcheck: s.healthcheck ? healthcheck(s) : undefined,
    HostConfig: stripUndefined(hc),
  };
  const first = nets[0];
  const name = o.name ?? containerName(project, s, o.number);
  if (first && !s.network_mode) config.NetworkingConfig = { EndpointsConfig: { [project.networks[first]!.name]: endpoint(s, first, name) } };
  return {
    name,
    body: stripUndefined(config) as ContainerCreateBody,
    more: s.network_mode ? [] : nets.slice(1).map((k) => ({ network: project.networks[k]!.name, endpoint: endpoint(s, k, name) })),
  };
}

function healthcheck(s: Service): Record<string, unknown> {
  const h = s.healthcheck!;
  if (h.disable) return { Test: ['NONE'] };
  return stripUndefined({ Test: h.test, Interval: durationNs(h.interval), Timeout: durationNs(h.timeout), Retries: h.retries, StartPeriod: durationNs(h.start_period), StartInterval: durationNs(h.start_interval) });
}

function restartPolicy(r: string | undefined): { Name: string; MaximumRetryCount?: number } | undefined {
  if (!r) return undefined;
  const [name, count] = r.split(':');
  if (name === 'no') return { Name: 'no' };
  return count ? { Name: name as string, MaximumRetryCount: Number(count) } : { Name: name as string };
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The build context directory's path as the daemon wants the Dockerfile: relative inside it. */
export function dockerfileInContext(context: string, dockerfile: string): { inside: boolean; rel: string } {
  const abs = path.resolve(context, dockerfile);
  const rel = path.relative(context, abs);
  return { inside: !rel.startsWith('..'), rel };
}
