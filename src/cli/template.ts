// A Go text/template subset, enough for what docker users write in --format:
// fields (`.State.Pid`), methods with args (`.Label "k"`), pipelines (`.Names | upper`),
// variables, if/else if/else, range (with `$i, $v :=`), with, and docker's functions
// (json, join, split, lower, upper, title, pad, truncate) plus Go's builtins
// (index, len, printf, print, println, eq, ne, lt, le, gt, ge, and, or, not, slice).
import { InvalidArgument } from '../errdefs/index.js';

type Node =
  | { t: 'text'; s: string }
  | { t: 'action'; p: Pipe }
  | { t: 'if' | 'with'; p: Pipe; then: Node[]; else?: Node[] }
  | { t: 'range'; p: Pipe; vars: string[]; body: Node[]; else?: Node[] };
interface Pipe { decl: string[]; cmds: Arg[][] }
type Arg =
  | { k: 'field'; base: 'dot' | string; path: string[] }
  | { k: 'ident'; name: string }
  | { k: 'lit'; v: unknown }
  | { k: 'pipe'; p: Pipe; path: string[] };

export type Funcs = Record<string, (...a: unknown[]) => unknown>;

// ---------- lexing of an action's inside
function tokenize(src: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      toks.push(src.slice(i, j + 1)); i = j + 1; continue;
    }
    if (c === '`') { const j = src.indexOf('`', i + 1); toks.push(src.slice(i, j + 1)); i = j + 1; continue; }
    if (c === '(' || c === ')' || c === '|' || c === ',') {
      // `).Field` after a parenthesised pipe stays glued to the `)`.
      if (c === ')' && src[i + 1] === '.') {
        let j = i + 1;
        while (j < src.length && /[.\w]/.test(src[j] as string)) j++;
        toks.push(src.slice(i, j)); i = j; continue;
      }
      toks.push(c); i++; continue;
    }
    if (src.startsWith(':=', i)) { toks.push(':='); i += 2; continue; }
    if (c === '=' ) { toks.push('='); i++; continue; }
    let j = i;
    while (j < src.length && !/[\s()|,"`]/.test(src[j] as string) && !src.startsWith(':=', j)) j++;
    toks.push(src.slice(i, j)); i = j;
  }
  return toks;
}

function unquote(tok: string): string {
  if (tok.startsWith('`')) return tok.slice(1, -1);
  return JSON.parse(tok.replace(/\\([abfv'])/g, (_m, ch: string) => ({ a: '\\u0007', b: '\\b', f: '\\f', v: '\\u000b', "'": "'" } as Record<string, string>)[ch] as string)) as string;
}

function parsePipe(toks: string[]): Pipe {
  let decl: string[] = [];
  const di = toks.indexOf(':=');
  const ai = di < 0 ? toks.indexOf('=') : di;
  if (ai > 0 && toks.slice(0, ai).every((t) => t.startsWith('$') || t === ',')) {
    decl = toks.slice(0, ai).filter((t) => t !== ',');
    toks = toks.slice(ai + 1);
  }
  const cmds: Arg[][] = [];
  let pos = 0;
  const parseOperand = (): Arg => {
    const t = toks[pos++] as string;
    if (t === '(') {
      let depth = 1; const start = pos;
      while (pos < toks.length && depth) { const x = toks[pos] as string; if (x === '(') depth++; else if (x.startsWith(')')) depth--; pos++; }
      const close = toks[pos - 1] as string;
      return { k: 'pipe', p: parsePipe(toks.slice(start, pos - 1)), path: close.slice(1).split('.').filter(Boolean) };
    }
    if (t.startsWith('"') || t.startsWith('`')) return { k: 'lit', v: unquote(t) };
    if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
    if (t === 'nil') return { k: 'lit', v: null };
    if (/^[+-]?\d/.test(t)) return { k: 'lit', v: Number(t) };
    if (t === '.') return { k: 'field', base: 'dot', path: [] };
    if (t.startsWith('.')) return { k: 'field', base: 'dot', path: t.slice(1).split('.') };
    if (t.startsWith('$')) { const [v, ...path] = t.split('.'); return { k: 'field', base: v as string, path }; }
    return { k: 'ident', name: t };
  };
  let cur: Arg[] = [];
  while (pos < toks.length) {
    if (toks[pos] === '|') { cmds.push(cur); cur = []; pos++; continue; }
    cur.push(parseOperand());
  }
  cmds.push(cur);
  return { decl, cmds };
}

// ---------- parsing of the whole template into a tree
export function parseTemplate(src: string): Node[] {
  const re = /\{\{(-\s)?([\s\S]*?)(\s-)?\}\}/g;
  type Frame = { node: Node | null; list: Node[] };
  const root: Node[] = [];
  const stack: Frame[] = [{ node: null, list: root }];
  let last = 0; let m: RegExpExecArray | null; let trimNext = false;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  while ((m = re.exec(src))) {
    let text = src.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    if (text) top().list.push({ t: 'text', s: text });
    trimNext = Boolean(m[3]);
    last = re.lastIndex;
    const body = (m[2] as string).trim();
    if (body.startsWith('/*')) continue;
    const toks = tokenize(body);
    const kw = toks[0];
    if (kw === 'if' || kw === 'with') {
      const node: Node = { t: kw, p: parsePipe(toks.slice(1)), then: [] };
      top().list.push(node); stack.push({ node, list: node.then });
    } else if (kw === 'range') {
      let rest = toks.slice(1); let vars: string[] = [];
      const di = rest.indexOf(':=');
      if (di > 0) { vars = rest.slice(0, di).filter((t) => t !== ','); rest = rest.slice(di + 1); }
      const node: Node = { t: 'range', p: parsePipe(rest), vars, body: [] };
      top().list.push(node); stack.push({ node, list: node.body });
    } else if (kw === 'else') {
      const f = top(); const n = f.node;
      if (!n || n.t === 'text' || n.t === 'action') throw new InvalidArgument('template: unexpected {{else}}');
      n.else = [];
      if (toks[1] === 'if' || toks[1] === 'with') {
        // `else if` nests a new if inside the else branch that shares the closing {{end}}.
        const inner: Node = { t: toks[1], p: parsePipe(toks.slice(2)), then: [] };
        n.else.push(inner);
        stack.pop(); stack.push({ node: n, list: n.else }); stack.push({ node: inner, list: inner.then });
        (inner as { chained?: boolean }).chained = true;
      } else f.list = n.else;
    } else if (kw === 'end') {
      if (stack.length < 2) throw new InvalidArgument('template: unexpected {{end}}');
      let popped = stack.pop() as Frame;
      // An `else if` chain shares one {{end}}: unwind every frame it pushed.
      while ((popped.node as { chained?: boolean } | null)?.chained) popped = stack.pop() as Frame;
    } else {
      top().list.push({ t: 'action', p: parsePipe(toks) });
    }
  }
  let text = src.slice(last);
  if (trimNext) text = text.replace(/^\s+/, '');
  if (text) root.push({ t: 'text', s: text });
  if (stack.length !== 1) throw new InvalidArgument('template: unexpected EOF');
  return root;
}

// ---------- evaluation
/** Marks a missing map key, printed as Go does: `<no value>`. */
const NO_VALUE = Symbol('no value');

interface Scope { dot: unknown; vars: Map<string, unknown> }

function isTrue(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Go's %v for the JSON-ish values we hold. */
export function goString(v: unknown): string {
  if (v === NO_VALUE || v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goString(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

function goFloat(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}

function field(v: unknown, name: string, args: unknown[]): unknown {
  if (v === null || v === undefined || v === NO_VALUE) return NO_VALUE;
  if (typeof v !== 'object') throw new InvalidArgument(`template: can't evaluate field ${name} in type ${typeof v}`);
  const o = v as Record<string, unknown>;
  if (!(name in o)) return NO_VALUE;
  const x = o[name];
  return typeof x === 'function' ? (x as (...a: unknown[]) => unknown).apply(o, args) : x;
}

export class Template {
  private readonly tree: Node[];
  constructor(src: string, private readonly funcs: Funcs = defaultFuncs) {
    this.tree = parseTemplate(src);
  }

  execute(dot: unknown): string {
    const out: string[] = [];
    this.run(this.tree, { dot, vars: new Map([['$', dot]]) }, out);
    return out.join('');
  }

  private run(nodes: Node[], s: Scope, out: string[]): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text': out.push(n.s); break;
        case 'action': {
          const v = this.pipe(n.p, s);
          if (!n.p.decl.length) out.push(goString(v));
          break;
        }
        case 'if': case 'with': {
          const v = this.pipe(n.p, s);
          if (isTrue(v)) this.run(n.then, n.t === 'with' ? { dot: v, vars: s.vars } : s, out);
          else if (n.else) this.run(n.else, s, out);
          break;
        }
        case 'range': {
          const v = this.pipe(n.p, s);
          const entries: [unknown, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x])
            : typeof v === 'number' ? Array.from({ length: v }, (_x, i) => [i, i])
            : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]) : [];
          if (!entries.length) { if (n.else) this.run(n.else, s, out); break; }
          for (const [k, x] of entries) {
            const vars = new Map(s.vars);
            if (n.vars.length === 1) vars.set(n.vars[0] as string, x);
            if (n.vars.length === 2) { vars.set(n.vars[0] as string, k); vars.set(n.vars[1] as string, x); }
            this.run(n.body, { dot: x, vars }, out);
          }
          break;
        }
      }
    }
  }

  private pipe(p: Pipe, s: Scope): unknown {
    let v: unknown = NO_VALUE; let first = true;
    for (const cmd of p.cmds) { v = this.command(cmd, s, first ? undefined : { v }); first = false; }
    for (const d of p.decl) s.vars.set(d, v);
    return v;
  }

  private command(cmd: Arg[], s: Scope, piped?: { v: unknown }): unknown {
    const [head, ...rest] = cmd;
    if (!head) throw new InvalidArgument('template: empty command');
    const args = rest.map((a) => this.operand(a, s, []));
    if (piped) args.push(piped.v);
    if (head.k === 'ident') {
      const f = this.funcs[head.name];
      if (!f) throw new InvalidArgument(`template: function "${head.name}" not defined`);
      return f(...args.map((a) => (a === NO_VALUE ? undefined : a)));
    }
    if (args.length && !(head.k === 'field' && head.path.length)) throw new InvalidArgument("template: can't give argument to non-function");
    return this.operand(head, s, args);
  }

  private operand(a: Arg, s: Scope, args: unknown[]): unknown {
    switch (a.k) {
      case 'lit': return a.v;
      case 'ident': {
        const f = this.funcs[a.name];
        if (!f) throw new InvalidArgument(`template: function "${a.name}" not defined`);
        return f();
      }
      case 'pipe': return this.walk(this.pipe(a.p, s), a.path, []);
      case 'field': {
        let base: unknown;
        if (a.base === 'dot') base = s.dot;
        else if (s.vars.has(a.base)) base = s.vars.get(a.base);
        else throw new InvalidArgument(`template: undefined variable "${a.base}"`);
        return this.walk(base, a.path, args);
      }
    }
  }

  private walk(v: unknown, path: string[], args: unknown[]): unknown {
    path.forEach((name, i) => { v = field(v, name, i === path.length - 1 ? args : []); });
    return v;
  }
}

// ---------- functions
/** Set on an object whose `{{json .}}` docker produces with json.Marshal (escaping <, >, &). */
export const GO_MARSHAL = Symbol('go-marshal');

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Go's fmt.Sprintf for the verbs people use in --format: %s %v %d %q %x %f %%, with widths. */
export function sprintf(format: string, ...args: unknown[]): string {
  let i = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([svdqxXfgt%])/g, (_m, fl: string, w?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s: string;
    switch (verb) {
      case 'd': s = String(Math.trunc(Number(a))); break;
      case 'q': s = JSON.stringify(goString(a)); break;
      case 'x': s = typeof a === 'number' ? a.toString(16) : Buffer.from(goString(a)).toString('hex'); break;
      case 'X': s = (typeof a === 'number' ? a.toString(16) : Buffer.from(goString(a)).toString('hex')).toUpperCase(); break;
      case 'f': s = Number(a).toFixed(prec ? Number(prec) : 6); break;
      default: s = goString(a); if (prec && verb === 's') s = s.slice(0, Number(prec));
    }
    const width = w ? Number(w) : 0;
    if (s.length < width) s = fl.includes('-') ? s.padEnd(width) : s.padStart(width, fl.includes('0') && verb !== 's' ? '0' : ' ');
    return s;
  }) + (i < args.length ? `%!(EXTRA ${args.slice(i).map((x) => `${typeof x === 'number' ? 'int' : 'string'}=${goString(x)}`).join(', ')})` : '');
}

function len(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  throw new InvalidArgument(`template: len of ${goString(v)}`);
}

/**
 * Go marshals maps with sorted keys and structs in field order. A JSON object whose keys
 * are not all exported Go field names (Labels, ExposedPorts, Volumes, …) was a map.
 */
function goMapOrder(_key: string, v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (keys.every((k) => /^[A-Z][A-Za-z0-9]*$/.test(k))) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, o[k]]));
}

export const defaultFuncs: Funcs = {
  // Formatter contexts (ps, images rows) marshal themselves with Go's HTML-safe escaping;
  // plain values go through docker's encoder with SetEscapeHTML(false).
  json: (v) => {
    const s = JSON.stringify(v === undefined ? null : v, goMapOrder);
    return v && typeof v === 'object' && (v as Record<symbol, unknown>)[GO_MARSHAL] ? s.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : s;
  },
  join: (v, sep) => (Array.isArray(v) ? v.map(goString).join(String(sep)) : goString(v)),
  split: (s, sep) => String(s).split(String(sep)),
  lower: (s) => goString(s).toLowerCase(),
  upper: (s) => goString(s).toUpperCase(),
  title: (s) => goString(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  pad: (s, l, r) => ' '.repeat(Number(l)) + goString(s) + ' '.repeat(Number(r)),
  truncate: (s, n) => { const x = goString(s); return x.length > Number(n) ? x.slice(0, Number(n)) : x; },
  printf: (f, ...a) => sprintf(String(f), ...a),
  print: (...a) => a.map(goString).join(''),
  println: (...a) => `${a.map(goString).join(' ')}\n`,
  len,
  index: (v, ...keys) => {
    let x = v;
    for (const k of keys) {
      if (x === null || x === undefined) return undefined;
      if (Array.isArray(x)) x = x[Number(k)];
      else x = (x as Record<string, unknown>)[String(k)];
    }
    // Go yields the zero value for a missing key of the typed maps docker uses (labels: "").
    return x === undefined ? "" : x;
  },
  slice: (v, a, b) => (typeof v === 'string' || Array.isArray(v) ? v.slice(Number(a ?? 0), b === undefined ? undefined : Number(b)) : v),
  eq: (a, ...bs) => bs.some((b) => a === b || (a == null && b == null)),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  and: (...a) => { for (const x of a) if (!isTrue(x)) return x; return a[a.length - 1]; },
  or: (...a) => { for (const x of a) if (isTrue(x)) return x; return a[a.length - 1]; },
  not: (a) => !isTrue(a),
};
