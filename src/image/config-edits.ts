// What a config-only Dockerfile instruction does to an image config, in one place for both
// callers: the builder (after it has parsed and expanded a step) and `--change` lines of
// `docker commit` / `docker import` (changes.ts). Docker runs both through the same
// dispatchers (moby's BuildFromConfig), so the results must not drift apart.
// Callers parse and expand words; these functions only validate values and edit.

import { InvalidArgument } from '../errdefs/index.js';
import type { ContainerConfigInImage } from './types.js';

/** One instruction's effect, its words already parsed and expanded by the caller. */
export type ConfigEdit =
  | { kind: 'env'; pairs: Array<[string, string]> }
  | { kind: 'label'; pairs: Array<[string, string]> }
  | { kind: 'expose'; ports: string[] }
  | { kind: 'volume'; paths: string[] }
  | { kind: 'user'; value: string }
  | { kind: 'stopsignal'; value: string }
  /** A relative path is taken from the current WorkingDir. */
  | { kind: 'workdir'; path: string }
  | { kind: 'cmd'; args: string[] }
  /** `keepCmd`: the same build stage (or change list) set CMD, so ENTRYPOINT keeps it. */
  | { kind: 'entrypoint'; args: string[]; keepCmd: boolean }
  /** The trigger as the caller's parser wrote it, validated with onbuildTriggerError. */
  | { kind: 'onbuild'; trigger: string };

/** Returns a new config with `edit` applied; `cfg` is left as it was. */
export function applyConfigEdit(cfg: ContainerConfigInImage, edit: ConfigEdit): ContainerConfigInImage {
  const out: ContainerConfigInImage = structuredClone(cfg);
  switch (edit.kind) {
    case 'env':
      for (const [k, v] of edit.pairs) out.Env = setEnv(out.Env ?? [], k, v);
      break;
    case 'label':
      out.Labels = { ...(out.Labels ?? {}) };
      for (const [k, v] of edit.pairs) out.Labels[k] = v;
      break;
    case 'expose':
      out.ExposedPorts = { ...(out.ExposedPorts ?? {}) };
      for (const p of edit.ports) for (const key of portKeys(p)) out.ExposedPorts[key] = {};
      break;
    case 'volume':
      out.Volumes = { ...(out.Volumes ?? {}) };
      for (const v of edit.paths) {
        if (v.trim() === '') throw new InvalidArgument('VOLUME specified can not be an empty string');
        out.Volumes[v] = {};
      }
      break;
    case 'user':
      out.User = edit.value;
      break;
    case 'stopsignal':
      out.StopSignal = edit.value;
      break;
    case 'workdir':
      out.WorkingDir = resolveWorkdir(out.WorkingDir, edit.path);
      break;
    case 'cmd':
      out.Cmd = edit.args;
      break;
    case 'entrypoint':
      out.Entrypoint = edit.args;
      // An ENTRYPOINT drops the base image's CMD unless this stage set one (Docker's rule).
      if (!edit.keepCmd) out.Cmd = null;
      break;
    case 'onbuild':
      out.OnBuild = [...(out.OnBuild ?? []), edit.trigger];
      break;
  }
  return out;
}

/**
 * Sets or replaces one "K=V" in an env list, keeping its place (moby's dispatchEnv);
 * a bare "K" entry counts as K too.
 */
export function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((kv) => kv.split('=', 1)[0] === key);
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/**
 * `80`, `80/udp`, `8000-8002/tcp` → "80/tcp"-style keys. Every malformed spec gets
 * go-connections' one message, naming the port without its protocol.
 */
export function portKeys(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || hi < lo || hi > 65535) throw new InvalidArgument(`invalid containerPort: ${spec.split('/')[0]}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}

/** WORKDIR: an absolute path, or one relative to the current directory ("/" if none), cleaned. */
export function resolveWorkdir(current: string | undefined, dir: string): string {
  const full = dir.startsWith('/') ? dir : `/${current ?? ''}/${dir}`;
  const parts: string[] = [];
  for (const c of full.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') parts.pop();
    else parts.push(c);
  }
  return `/${parts.join('/')}`;
}

/** Docker's refusal of an ONBUILD trigger by its instruction name, or undefined if allowed. */
export function onbuildTriggerError(name: string): string | undefined {
  const n = name.toUpperCase();
  if (n === '') return 'ONBUILD requires at least one argument';
  if (n === 'ONBUILD') return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed";
  if (n === 'FROM' || n === 'MAINTAINER') return `${n} isn't allowed as an ONBUILD trigger`;
  return undefined;
}
