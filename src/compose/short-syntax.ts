// Compose's short syntaxes: ports (`[ip:][host:]container[/proto]`, ranges), volumes
// (`[source:]target[:mode]`), and a shell-words split for string commands.
import path from 'node:path';
import os from 'node:os';
import { InvalidArgument } from '../errdefs/index.js';
import type { PortConfig, VolumeMount } from './model.js';

function range(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new InvalidArgument(`invalid ${what}: ${s}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a || a > 65535 || b > 65535) throw new InvalidArgument(`invalid ${what}: ${s}`);
  return [a, b];
}

/** `8080:80`, `127.0.0.1:8080:80/udp`, `3000-3002:3000-3002`, `80` → one entry per port. */
export function parsePortShort(spec: string): PortConfig[] {
  let s = spec;
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) { protocol = s.slice(slash + 1).toLowerCase(); s = s.slice(0, slash); }
  let hostIp = '';
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    hostIp = s.slice(1, end);
    s = s.slice(end + 2);
  }
  const parts = s.split(':');
  let host = '';
  let container: string;
  if (parts.length === 1) container = parts[0] as string;
  else if (parts.length === 2) { host = parts[0] as string; container = parts[1] as string; }
  else if (parts.length === 3 && !hostIp) { hostIp = parts[0] as string; host = parts[1] as string; container = parts[2] as string; }
  else throw new InvalidArgument(`invalid port specification: "${spec}"`);
  const [c0, c1] = range(container, 'containerPort');
  const out: PortConfig[] = [];
  if (host) {
    const [h0, h1] = range(host, 'hostPort');
    const n = c1 - c0;
    if (h1 - h0 !== n && !(h0 !== h1 && c0 === c1)) throw new InvalidArgument(`invalid ranges specified for container and host Ports: ${container} and ${host}`);
    for (let k = 0; k <= n; k++) {
      const published = h0 !== h1 && c0 === c1 ? `${h0}-${h1}` : String(h0 + k);
      out.push(port(c0 + k, published, hostIp, protocol));
    }
  } else for (let p = c0; p <= c1; p++) out.push(port(p, undefined, hostIp, protocol));
  return out;
}

function port(target: number, published: string | undefined, hostIp: string, protocol: string): PortConfig {
  const p: PortConfig = { mode: 'ingress', target, protocol };
  if (hostIp) p.host_ip = hostIp;
  if (published !== undefined) p.published = published;
  return ordered(p);
}

/** Keys in compose-go's ServicePortConfig order. */
export function ordered(p: PortConfig): PortConfig {
  const o: Record<string, unknown> = {};
  for (const k of ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol']) if ((p as unknown as Record<string, unknown>)[k] !== undefined) o[k] = (p as unknown as Record<string, unknown>)[k];
  return o as unknown as PortConfig;
}

export function isPathLike(s: string): boolean {
  return s.startsWith('.') || s.startsWith('/') || s.startsWith('~') || s.includes('/');
}

export function resolvePath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(os.homedir(), p.slice(1));
  return path.resolve(base, p);
}

/** `data:/var/lib/x:ro`, `./src:/app`, `/cache` (anonymous volume). */
export function parseVolumeShort(spec: string, base: string): VolumeMount {
  const parts = spec.split(':');
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (parts.length === 1) target = parts[0] as string;
  else if (parts.length === 2) {
    // `/target:ro` is an anonymous volume with a mode only if the second part is a mode.
    if (/^(ro|rw|z|Z|nocopy|r?shared|r?slave|r?private)(,.*)?$/.test(parts[1] as string) && (parts[0] as string).startsWith('/')) { target = parts[0] as string; mode = parts[1] as string; }
    else { source = parts[0]; target = parts[1] as string; }
  } else if (parts.length === 3) { source = parts[0]; target = parts[1] as string; mode = parts[2] as string; }
  else throw new InvalidArgument(`invalid spec: ${spec}: too many colons`);
  if (!target) throw new InvalidArgument(`invalid spec: ${spec}: empty target`);
  const modes = new Set(mode ? mode.split(',') : []);
  const m: VolumeMount = { type: 'volume', target };
  if (source && isPathLike(source)) {
    m.type = 'bind';
    m.source = resolvePath(base, source);
  } else if (source) m.source = source;
  if (modes.has('ro')) m.read_only = true;
  if (m.type === 'bind') {
    m.bind = { create_host_path: true };
    for (const p of ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']) if (modes.has(p)) m.bind.propagation = p;
    if (modes.has('z')) m.bind.selinux = 'z';
    if (modes.has('Z')) m.bind.selinux = 'Z';
  } else m.volume = modes.has('nocopy') ? { nocopy: true } : {};
  return orderedVolume(m);
}

export function orderedVolume(v: VolumeMount): VolumeMount {
  const o: Record<string, unknown> = {};
  for (const k of ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs']) if ((v as unknown as Record<string, unknown>)[k] !== undefined) o[k] = (v as unknown as Record<string, unknown>)[k];
  return o as unknown as VolumeMount;
}

/** Shell words as compose-go's shellwords splits a string command: quotes and backslashes, no expansion. */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let have = false;
  let q: '"' | "'" | '' = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (q === "'") { if (c === "'") q = ''; else cur += c; continue; }
    if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1] as string)) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') { q = c; have = true; continue; }
    if (c === '\\' && i + 1 < s.length) { cur += s[++i]; have = true; continue; }
    if (/\s/.test(c)) { if (have) { words.push(cur); cur = ''; have = false; } continue; }
    cur += c;
    have = true;
  }
  if (q) throw new InvalidArgument(`invalid command line string: unterminated quote in ${JSON.stringify(s)}`);
  if (have) words.push(cur);
  return words;
}
