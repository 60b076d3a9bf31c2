// Compose's variable interpolation, applied to every string value of a file before
// merging: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
// `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`. Defaults and
// alternatives are themselves interpolated (`${A:-${B}}`), as compose-go does.
import { InvalidArgument } from '../errdefs/index.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Interpolates one string; `where` names the key path for error messages. */
export function interpolate(s: string, lookup: Lookup, where = ''): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') { out += c; i++; continue; }
    const next = s[i + 1];
    if (next === '$') { out += '$'; i += 2; continue; }
    if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) throw new InvalidArgument(`invalid interpolation format for ${where || 'value'}: "${s}"; you may need to escape any $ with another $`);
      out += substitute(s.slice(i + 2, end), lookup, where, s);
      i = end + 1;
      continue;
    }
    const m = NAME.exec(s.slice(i + 1));
    if (m) { out += lookup(m[0]) ?? ''; i += 1 + m[0].length; continue; }
    out += '$';
    i++;
  }
  return out;
}

function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    if (s[j] === '$' && s[j + 1] === '{') { depth++; j++; continue; }
    if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

function substitute(body: string, lookup: Lookup, where: string, whole: string): string {
  const m = NAME.exec(body);
  if (!m) throw new InvalidArgument(`invalid interpolation format for ${where || 'value'}: "${whole}"; you may need to escape any $ with another $`);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') return value ?? '';
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw new InvalidArgument(`invalid interpolation format for ${where || 'value'}: "${whole}"; you may need to escape any $ with another $`);
  const arg = () => interpolate(rest.slice(op[1]!.length), lookup, where);
  const colon = op[1]!.startsWith(':');
  const unset = colon ? value === undefined || value === '' : value === undefined;
  switch (op[1]!.slice(-1)) {
    case '-': return unset ? arg() : (value as string);
    case '+': return unset ? '' : arg();
    default: {
      if (!unset) return value as string;
      const msg = arg();
      throw new InvalidArgument(`${where ? `error while interpolating ${where}: ` : ''}required variable ${name} is missing a value${msg ? `: ${msg}` : ''}`);
    }
  }
}

/** Interpolates every string in a parsed YAML tree (keys stay as written). */
export function interpolateTree(node: unknown, lookup: Lookup, path = ''): unknown {
  if (typeof node === 'string') return interpolate(node, lookup, path);
  if (Array.isArray(node)) return node.map((v, k) => interpolateTree(v, lookup, `${path}[${k}]`));
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = interpolateTree(v, lookup, path ? `${path}.${k}` : k);
    return out;
  }
  return node;
}
