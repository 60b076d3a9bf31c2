// `--change` lines of `docker import` / `docker commit`: the Dockerfile instructions that
// only touch the image config (moby's BuildFromConfig with validCommitCommands), applied
// to a copy of the config. Errors keep moby's wording ("foo is not a valid change command").

import { InvalidArgument } from '../errdefs/index.js';
import { applyConfigEdit, onbuildTriggerError, type ConfigEdit } from './config-edits.js';
import type { ContainerConfigInImage } from './types.js';

const VALID = new Set(['cmd', 'entrypoint', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** Returns a new config with `changes` applied in order. */
export function applyChanges(base: ContainerConfigInImage, changes: string[]): ContainerConfigInImage {
  const lines = changes.flatMap((c) => c.split('\n')).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const parsed = lines.map((line) => {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    return { name: m[1]!.toLowerCase(), args: m[2]! };
  });
  for (const { name } of parsed) {
    if (!VALID.has(name)) throw new InvalidArgument(`${name} is not a valid change command`);
  }
  let cfg = base;
  let cmdSet = false;
  for (const { name, args } of parsed) {
    const edit = toEdit(name, args, { env: cfg.Env ?? [], cmdSet });
    if (edit.kind === 'cmd') cmdSet = true;
    cfg = applyConfigEdit(cfg, edit);
  }
  return cfg === base ? structuredClone(base) : cfg;
}

/** One change line as a config edit; ENV and LABEL values see $VAR from `env`. */
function toEdit(name: string, args: string, o: { env: string[]; cmdSet: boolean }): ConfigEdit {
  switch (name) {
    case 'cmd':
      return { kind: 'cmd', args: commandForm(args) };
    case 'entrypoint':
      return { kind: 'entrypoint', args: commandForm(args), keepCmd: o.cmdSet };
    case 'env':
      return { kind: 'env', pairs: keyValues('ENV', args, o.env) };
    case 'label':
      return { kind: 'label', pairs: keyValues('LABEL', args, o.env) };
    case 'expose':
      return { kind: 'expose', ports: words(args) };
    case 'user':
      return { kind: 'user', value: exactlyOne('USER', args) };
    case 'workdir':
      return { kind: 'workdir', path: exactlyOne('WORKDIR', args) };
    case 'stopsignal':
      return { kind: 'stopsignal', value: exactlyOne('STOPSIGNAL', args) };
    case 'volume': {
      const paths = jsonArray(args) ?? words(args);
      if (paths.length === 0) throw new InvalidArgument('VOLUME requires at least one argument');
      return { kind: 'volume', paths };
    }
    case 'onbuild': {
      const m = /^(\S*)\s*([\s\S]*)$/.exec(args.trim())!;
      const trigger = m[1]!.toUpperCase();
      const refused = onbuildTriggerError(trigger);
      if (refused) throw new InvalidArgument(refused);
      return { kind: 'onbuild', trigger: `${trigger} ${m[2]}`.trim() };
    }
    default:
      throw new InvalidArgument(`${name} is not a valid change command`);
  }
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
