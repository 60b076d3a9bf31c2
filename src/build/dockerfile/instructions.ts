// Each instruction's argument shape, read from the parser's raw lines: JSON or shell form
// (RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, VOLUME), key=value pairs (ENV, LABEL, ARG), flags
// (`--from`, `--chown`, `--chmod`, `--checksum`, `--interval`…). Variables are NOT expanded
// here: that needs the build's state at the step (see expand.ts).
import { InvalidArgument } from '../../errdefs/index.js';
import { onbuildTriggerError } from '../../image/config-edits.js';
import type { Heredoc, RawInstruction } from './parse.js';
import { splitRawWords } from './shell-lex.js';

/** A command in JSON form (`["a","b"]`) or shell form (one string, run by the SHELL). */
export interface CommandLine {
  json: boolean;
  args: string[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export type Instruction =
  | { kind: 'from'; image: string; stage?: string; platform?: string }
  /** `flags`: the BuildKit-only flags used (`mount`, `network`…), in order; the builder refuses them. */
  | { kind: 'run'; cmd: CommandLine; heredocs: Heredoc[]; flags: string[] }
  | { kind: 'cmd' | 'entrypoint' | 'shell'; cmd: CommandLine }
  | { kind: 'env' | 'label'; pairs: KeyValue[] }
  | { kind: 'arg'; args: Array<{ key: string; value?: string }> }
  | { kind: 'copy' | 'add'; srcs: string[]; dest: string; from?: string; chown?: string; chmod?: string; checksum?: string; link: boolean; heredocs: Heredoc[] }
  | { kind: 'workdir' | 'user' | 'stopsignal' | 'maintainer'; value: string }
  | { kind: 'expose' | 'volume'; values: string[] }
  | { kind: 'healthcheck'; test: string[] | 'NONE'; interval?: string; timeout?: string; startPeriod?: string; startInterval?: string; retries?: string }
  | { kind: 'onbuild'; trigger: string };

export type Step = Instruction & { raw: RawInstruction };

class ParseError extends InvalidArgument {}

function fail(raw: RawInstruction, file: string, problem: string): never {
  throw new ParseError(`dockerfile parse error line ${raw.line} of ${file}: ${problem}`);
}

/** BuildKit's parseMaybeJSON: a JSON array of strings, else the text as one shell command. */
function maybeJson(rest: string): CommandLine {
  const text = rest.trim();
  if (text.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(text);
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return { json: true, args: v as string[] };
    } catch {
      // not JSON: shell form
    }
  }
  return { json: false, args: text === '' ? [] : [text] };
}

/** Flags of one instruction: `--name=value` (or bare `--name` for booleans), each known. */
function flagsOf(raw: RawInstruction, file: string, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of raw.flags) {
    const m = /^--([a-zA-Z-]+)(?:=([\s\S]*))?$/.exec(f);
    if (!m || !allowed.includes(m[1])) fail(raw, file, `unknown flag: ${m ? m[1] : f}`);
    out.set(m[1], m[2] ?? 'true');
  }
  return out;
}

/** ENV/LABEL: `k=v k2="v 2"`, or the legacy `k value with spaces`. Quotes stay for expansion. */
function nameValues(raw: RawInstruction, file: string, what: string): KeyValue[] {
  const words = splitRawWords(raw.rest, '\\');
  if (words.length === 0) fail(raw, file, `${what} requires at least one argument`);
  if (!words[0].includes('=')) {
    const parts = raw.rest.split(/[ \t]+/);
    if (parts.length < 2) fail(raw, file, `${what} must have two arguments`);
    return [{ key: parts[0], value: raw.rest.slice(parts[0].length).trim() }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) fail(raw, file, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) fail(raw, file, `${what} names can not be blank`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function exactlyOne(raw: RawInstruction, file: string, what: string): string {
  const words = splitRawWords(raw.rest, '\\');
  if (words.length !== 1) fail(raw, file, `${what} requires exactly one argument`);
  return raw.rest.trim();
}

/** Reads one raw instruction; `escape` is the file's escape character. */
export function readInstruction(raw: RawInstruction, file: string, escape: string): Step {
  const step = (i: Instruction): Step => ({ ...i, raw });
  const noFlags = () => flagsOf(raw, file, []);
  switch (raw.cmd) {
    case 'from': {
      const flags = flagsOf(raw, file, ['platform']);
      const words = splitRawWords(raw.rest, escape);
      if (words.length === 3 && words[1].toLowerCase() === 'as') {
        const stage = words[2].toLowerCase();
        if (!/^[a-z][a-z0-9-_.]*$/.test(stage)) fail(raw, file, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
        return step({ kind: 'from', image: words[0], stage, platform: flags.get('platform') });
      }
      if (words.length !== 1) fail(raw, file, 'FROM requires either one or three arguments');
      return step({ kind: 'from', image: words[0], platform: flags.get('platform') });
    }
    case 'run': {
      const flags = flagsOf(raw, file, ['network', 'mount', 'security', 'device']);
      const cmd = maybeJson(raw.rest);
      if (cmd.args.length === 0 && raw.heredocs.length === 0) fail(raw, file, 'RUN requires at least one argument');
      return step({ kind: 'run', cmd, heredocs: raw.heredocs, flags: [...flags.keys()] });
    }
    case 'cmd':
    case 'entrypoint':
      noFlags();
      return step({ kind: raw.cmd, cmd: maybeJson(raw.rest) });
    case 'shell': {
      noFlags();
      const cmd = maybeJson(raw.rest);
      if (!cmd.json) fail(raw, file, 'SHELL requires the arguments to be in JSON form');
      if (cmd.args.length === 0) fail(raw, file, 'SHELL requires at least one argument');
      return step({ kind: 'shell', cmd });
    }
    case 'env':
    case 'label':
      noFlags();
      return step({ kind: raw.cmd, pairs: nameValues(raw, file, raw.cmd.toUpperCase()) });
    case 'arg': {
      noFlags();
      const words = splitRawWords(raw.rest, escape);
      if (words.length === 0) fail(raw, file, 'ARG requires at least one argument');
      return step({
        kind: 'arg',
        args: words.map((w) => {
          const eq = w.indexOf('=');
          return eq < 0 ? { key: w } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
        }),
      });
    }
    case 'copy':
    case 'add': {
      const flags = flagsOf(raw, file, raw.cmd === 'copy' ? ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'] : ['chown', 'chmod', 'checksum', 'link', 'keep-git-dir', 'exclude']);
      const form = maybeJson(raw.rest);
      const words = form.json ? form.args : splitRawWords(raw.rest, escape);
      if (words.length < 2) fail(raw, file, `${raw.cmd.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined`);
      return step({
        kind: raw.cmd,
        srcs: words.slice(0, -1),
        dest: words[words.length - 1],
        from: flags.get('from'),
        chown: flags.get('chown'),
        chmod: flags.get('chmod'),
        checksum: flags.get('checksum'),
        link: flags.get('link') === 'true',
        heredocs: raw.heredocs,
      });
    }
    case 'workdir':
    case 'user':
    case 'stopsignal':
      noFlags();
      return step({ kind: raw.cmd, value: exactlyOne(raw, file, raw.cmd.toUpperCase()) });
    case 'maintainer':
      noFlags();
      if (raw.rest === '') fail(raw, file, 'MAINTAINER requires exactly one argument');
      return step({ kind: 'maintainer', value: raw.rest });
    case 'expose': {
      noFlags();
      const values = splitRawWords(raw.rest, escape);
      if (values.length === 0) fail(raw, file, 'EXPOSE requires at least one argument');
      return step({ kind: 'expose', values });
    }
    case 'volume': {
      noFlags();
      const form = maybeJson(raw.rest);
      const values = form.json ? form.args : splitRawWords(raw.rest, escape);
      if (values.length === 0) fail(raw, file, 'VOLUME requires at least one argument');
      return step({ kind: 'volume', values });
    }
    case 'healthcheck':
      return step(healthcheck(raw, file));
    case 'onbuild': {
      noFlags();
      const trigger = raw.rest.trim();
      const name = trigger.split(/\s+/)[0]?.toUpperCase() ?? '';
      const refused = onbuildTriggerError(name);
      if (refused) fail(raw, file, refused);
      return step({ kind: 'onbuild', trigger });
    }
    default:
      fail(raw, file, `unknown instruction: ${raw.cmd.toUpperCase()}`);
  }
}

function healthcheck(raw: RawInstruction, file: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(raw.rest);
  if (!m) fail(raw, file, 'HEALTHCHECK requires at least one argument');
  const type = m[1].toUpperCase();
  if (type === 'NONE') {
    if (m[2].trim() !== '' || raw.flags.length) fail(raw, file, 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', test: 'NONE' };
  }
  const flags = flagsOf(raw, file, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
  if (type !== 'CMD') fail(raw, file, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const cmd = maybeJson(m[2]);
  if (cmd.args.length === 0) fail(raw, file, 'Missing command after HEALTHCHECK CMD');
  return {
    kind: 'healthcheck',
    test: [cmd.json ? 'CMD' : 'CMD-SHELL', ...cmd.args],
    interval: flags.get('interval'),
    timeout: flags.get('timeout'),
    startPeriod: flags.get('start-period'),
    startInterval: flags.get('start-interval'),
    retries: flags.get('retries'),
  };
}
