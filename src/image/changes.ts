// `--change` lines of `docker import` / `docker commit`: the Dockerfile instructions that
// only touch the image config (moby's BuildFromConfig with validCommitCommands), applied
// to a copy of the config. Errors keep moby's wording ("foo is not a valid change command").

import { InvalidArgument } from '../errdefs/index.js';
import type { ContainerConfigInImage } from './types.js';

const VALID = new Set(['cmd', 'entrypoint', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** Returns a new config with `changes` applied in order. */
export function applyChanges(base: ContainerConfigInImage, changes: string[]): ContainerConfigInImage {
  const cfg: ContainerConfigInImage = structuredClone(base);
  const lines = changes.flatMap((c) => c.split('\n')).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const parsed = lines.map((line) => {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    return { name: m[1]!.toLowerCase(), args: m[2]! };
  });
  for (const { name } of parsed) {
    if (!VALID.has(name)) throw new InvalidArgument(`${name} is not a valid change command`);
  }
  let cmdSet = false;
  for (const { name, args } of parsed) {
    switch (name) {
      case 'cmd':
        cfg.Cmd = commandForm(args);
        cmdSet = true;
        break;
      case 'entrypoint':
        cfg.Entrypoint = commandForm(args);
        // As in a Dockerfile: ENTRYPOINT resets a CMD that these changes did not set.
        if (!cmdSet) cfg.Cmd = null;
        break;
      case 'env':
        for (const [k, v] of keyValues('ENV', args, cfg.Env ?? [])) setEnv(cfg, k, v);
        break;
      case 'label':
        cfg.Labels = { ...(cfg.Labels ?? {}) };
        for (const [k, v] of keyValues('LABEL', args, cfg.Env ?? [])) cfg.Labels[k] = v;
        break;
      case 'expose':
        cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
        for (const p of words(args)) for (const key of portKeys(p)) cfg.ExposedPorts[key] = {};
        break;
      case 'user':
        cfg.User = exactlyOne('USER', args);
        break;
      case 'workdir': {
        const dir = exactlyOne('WORKDIR', args);
        cfg.WorkingDir = dir.startsWith('/') ? normalizePath(dir) : normalizePath(`/${cfg.WorkingDir ?? ''}/${dir}`);
        break;
      }
      case 'stopsignal':
        cfg.StopSignal = exactlyOne('STOPSIGNAL', args);
        break;
      case 'volume': {
        const vols = jsonArray(args) ?? words(args);
        if (vols.length === 0) throw new InvalidArgument('VOLUME requires at least one argument');
        cfg.Volumes = { ...(cfg.Volumes ?? {}) };
        for (const v of vols) {
          if (v.trim() === '') throw new InvalidArgument('VOLUME specified can not be an empty string');
          cfg.Volumes[v] = {};
        }
        break;
      }
      case 'onbuild': {
        const m = /^(\S+)\s*([\s\S]*)$/.exec(args.trim());
        if (!m) throw new InvalidArgument('ONBUILD requires at least one argument');
        const trigger = m[1]!.toUpperCase();
        if (trigger === 'ONBUILD') throw new InvalidArgument('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
        if (trigger === 'FROM' || trigger === 'MAINTAINER') throw new InvalidArgument(`${trigger} isn't allowed as an ONBUILD trigger`);
        cfg.OnBuild = [...(cfg.OnBuild ?? []), `${trigger} ${m[2]}`.trim()];
        break;
      }
    }
  }
  return cfg;
}

/** JSON form (`["a","b"]`) or shell form (`/bin/sh -c "…"`). */
function commandForm(args: string): string[] {
  return jsonArray(args) ?? ['/bin/sh', '-c', args];
}

function jsonArray(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // not JSON: shell form, as Docker falls back
  }
  return undefined;
}

function exactlyOne(instr: string, args: string): string {
  const w = words(args);
  if (w.length !== 1) throw new InvalidArgument(`${instr} requires exactly one argument`);
  return w[0]!;
}

/** Splits on unquoted whitespace, removing quotes and backslash escapes. */
export function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InvalidArgument(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) out.push(cur);
  return out;
}

/** `k=v k2="v 2"` or the legacy `k value with spaces` form. Values see $VAR from `env`. */
function keyValues(instr: string, args: string, env: string[]): Array<[string, string]> {
  const t = args.trim();
  if (t === '') throw new InvalidArgument(`${instr} requires at least one argument`);
  const first = /^\S+/.exec(t)![0];
  if (!first.includes('=')) {
    const rest = t.slice(first.length).trim();
    if (rest === '') throw new InvalidArgument(`${instr} names can not be blank`);
    return [[first, expand(rest, env)]];
  }
  return words(expand(t, env)).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new InvalidArgument(`${instr} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** $VAR and ${VAR} from the image's env, as the builder's shell lexer does for ENV/LABEL. */
function expand(s: string, env: string[]): string {
  const lookup = (k: string) => {
    const hit = [...env].reverse().find((e) => e.startsWith(`${k}=`));
    return hit === undefined ? '' : hit.slice(k.length + 1);
  };
  return s.replace(/(\\?)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, esc: string, a?: string, b?: string) =>
    esc ? m.slice(1) : lookup((a ?? b)!),
  );
}

function setEnv(cfg: ContainerConfigInImage, k: string, v: string): void {
  const env = (cfg.Env ?? []).filter((e) => !e.startsWith(`${k}=`) && e !== k);
  env.push(`${k}=${v}`);
  cfg.Env = env;
}

function portKeys(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  if (!m) throw new InvalidArgument(`invalid containerPort: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo || hi > 65535) throw new InvalidArgument(`invalid range specified for container port: ${spec}`);
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

function normalizePath(p: string): string {
  const parts: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return `/${parts.join('/')}`;
}
