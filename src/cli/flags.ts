// Docker's (cobra/pflag) command-line grammar: `--flag=value`, `--flag value`, `-abc`
// combined short bools, `-e A -e B` repeated lists, `--rm=false`, `--` ends flags, and for
// run/exec/create flags end at the first positional (so `run img ls -l` keeps `-l`).

export type FlagType = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  long: string;
  short?: string;
  type: FlagType;
  /** Shown in --help; docker's wording where we have it. */
  help?: string;
  /** Default for bool/string/int; lists default to []. */
  default?: boolean | string | number;
  /** Hidden from --help (compat-only spellings). */
  hidden?: boolean;
}

export interface CommandSpec {
  /** Full command path as typed, e.g. `run` or `image prune`. */
  name: string;
  /** Docker's usage line without the program name, e.g. `run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  usage: string;
  description: string;
  flags: FlagSpec[];
  /** False for run/exec/create: everything after the first positional is the command's. */
  interspersed?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Wording for the arity error: `exactly`, `at least`, `at most`, `between`. */
}

export type FlagValue = boolean | string | number | string[];
export interface Parsed {
  flags: Record<string, FlagValue>;
  /** Long names of flags the user actually gave. */
  set: Set<string>;
  args: string[];
  help: boolean;
}

/** A usage error: printed with the usage line, exit 125 (docker's StatusError for flags). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseBool(v: string, flag: string): boolean {
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new FlagError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function defaults(spec: CommandSpec): Record<string, FlagValue> {
  const out: Record<string, FlagValue> = {};
  for (const f of spec.flags) {
    if (f.type === 'list') out[f.long] = [];
    else if (f.default !== undefined) out[f.long] = f.default;
    else if (f.type === 'bool') out[f.long] = false;
  }
  return out;
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): Parsed {
  const flags = defaults(spec);
  const set = new Set<string>();
  const args: string[] = [];
  const byLong = new Map(spec.flags.map((f) => [f.long, f]));
  const byShort = new Map(spec.flags.filter((f) => f.short).map((f) => [f.short as string, f]));
  let help = false;

  const assign = (f: FlagSpec, raw: string, shown: string): void => {
    set.add(f.long);
    switch (f.type) {
      case 'bool': flags[f.long] = parseBool(raw, shown); break;
      case 'string': flags[f.long] = raw; break;
      case 'list': (flags[f.long] as string[]).push(raw); break;
      case 'int': {
        if (!/^[+-]?\d+$/.test(raw)) throw new FlagError(`invalid argument "${raw}" for "${shown}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
        flags[f.long] = Number(raw);
      }
    }
  };

  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') { i++; break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      if (name === 'help') { help = true; continue; }
      const f = byLong.get(name);
      if (!f) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) assign(f, a.slice(eq + 1), `--${name}`);
      else if (f.type === 'bool') assign(f, 'true', `--${name}`);
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        assign(f, argv[++i] as string, `--${name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      // Combined shorts: bools until one that takes a value, which eats the rest or the next arg.
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        const f = byShort.get(c);
        if (c === 'h' && !f) { help = true; continue; }
        if (!f) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        const shown = `-${c}, --${f.long}`;
        if (f.type === 'bool') {
          if (a[j + 1] === '=') { assign(f, a.slice(j + 2), shown); break; }
          assign(f, 'true', shown);
          continue;
        }
        let rest = a.slice(j + 1);
        if (rest.startsWith('=')) rest = rest.slice(1);
        if (rest.length) assign(f, rest, shown);
        else {
          if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
          assign(f, argv[++i] as string, shown);
        }
        break;
      }
      continue;
    }
    args.push(a);
    if (spec.interspersed === false) { i++; break; }
  }
  args.push(...argv.slice(i));
  return { flags, set, args, help };
}

/** A wrong number of positionals: docker prints it with the usage and exits 1, not 125. */
export class ArityError extends FlagError {
  override readonly name = 'ArityError';
  /** docker 28 says "See '… --help'" after at-least errors and "Run '… --help'" after the others. */
  constructor(message: string, readonly verb: 'See' | 'Run' = 'Run') {
    super(message);
  }
}

/** Docker's arity messages (`docker: 'docker stop' requires at least 1 argument`). */
export function checkArity(spec: CommandSpec, prog: string, n: number): void {
  const { minArgs: min, maxArgs: max } = spec;
  const plural = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  const who = `'${prog} ${spec.name}'`;
  if (min !== undefined && max !== undefined && min === max && n !== min) throw new ArityError(`${prog}: ${who} requires ${plural(min)}`);
  if (min !== undefined && max !== undefined && min !== max && (n < min || n > max)) throw new ArityError(`${prog}: ${who} requires at least ${min} and at most ${plural(max)}`);
  if (min !== undefined && max === undefined && n < min) throw new ArityError(`${prog}: ${who} requires at least ${plural(min)}`, 'See');
  if (max !== undefined && min === undefined && n > max) throw new ArityError(`${prog}: ${who} accepts at most ${plural(max)}`);
}

export function helpText(spec: CommandSpec, prog: string): string {
  const lines = [``, `Usage:  ${prog} ${spec.usage}`, ``, spec.description, ``];
  const shown = spec.flags.filter((f) => !f.hidden);
  if (shown.length) {
    lines.push('Options:');
    const left = shown.map((f) => `${f.short ? `-${f.short}, ` : '    '}--${f.long}${f.type === 'bool' ? '' : f.type === 'list' ? ' list' : f.type === 'int' ? ' int' : ' string'}`);
    const w = Math.max(...left.map((l) => l.length));
    shown.forEach((f, k) => lines.push(`  ${(left[k] as string).padEnd(w)}   ${f.help ?? ''}`.trimEnd()));
  }
  return `${lines.join('\n')}\n`;
}
