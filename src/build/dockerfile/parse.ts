// The Dockerfile's line grammar, as BuildKit's parser reads it: parser directives at the
// top (`# escape=`, `# syntax=`), comments, line continuations with the escape character,
// heredocs (`<<EOF`, `<<-EOF`, quoted words), then one instruction per logical line with
// its leading `--flags` split off. Arguments are kept as text here; each instruction's own
// shape (JSON or shell form, key=value pairs) is read by instructions.ts.
import { InvalidArgument } from '../../errdefs/index.js';

export interface Heredoc {
  /** The word after `<<` (quotes removed). */
  name: string;
  /** Body lines joined with "\n", ending with "\n"; `<<-` strips leading tabs. */
  content: string;
  /** Quoted words (`<<"EOF"`) are not expanded. */
  expand: boolean;
  chomp: boolean;
}

export interface RawInstruction {
  /** Lowercase instruction name ("run", "copy", …). */
  cmd: string;
  /** Leading `--name=value` words, as written. */
  flags: string[];
  /** Everything after the name and flags, trimmed. */
  rest: string;
  /** The logical line as Docker prints it in "Step n/m : …" (continuations joined). */
  original: string;
  /** 1-based line where the instruction starts. */
  line: number;
  heredocs: Heredoc[];
}

export interface Dockerfile {
  escape: string;
  syntax?: string;
  instructions: RawInstruction[];
}

const HEREDOC_CMDS = new Set(['run', 'copy', 'add']);

/** Reads `# key=value` parser directives until the first line that is not one. */
function readDirectives(lines: string[], file: string): { escape: string; syntax?: string; } {
  let escape = '\\';
  let syntax: string | undefined;
  const seen = new Set<string>();
  for (const line of lines) {
    const m = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/.exec(line);
    if (!m) break;
    const key = m[1].toLowerCase();
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break;
    if (seen.has(key)) throw new InvalidArgument(`${file}: only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`') throw new InvalidArgument(`${file}: invalid escape token '${m[2]}' does not match ${'`'} or \\`);
      escape = m[2];
    } else if (key === 'syntax') syntax = m[2];
  }
  return { escape, syntax };
}

const isComment = (line: string) => /^[ \t]*#/.test(line);
const isBlank = (line: string) => /^[ \t]*$/.test(line);

/** Splits `--a=b --c "rest"` into its flags and the rest (BuildKit's extractBuilderFlags). */
function splitFlags(args: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let s = args.trimStart();
  while (s.startsWith('--')) {
    const m = /^(\S+)(\s+|$)/.exec(s)!;
    if (m[1] === '--') {
      s = s.slice(m[0].length);
      break;
    }
    flags.push(m[1]);
    s = s.slice(m[0].length);
  }
  return { flags, rest: s.trim() };
}

/** `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` words in an instruction's arguments, in order. */
function heredocWords(rest: string): Array<{ name: string; expand: boolean; chomp: boolean }> {
  const out: Array<{ name: string; expand: boolean; chomp: boolean }> = [];
  const re = /<<(-?)(["']?)([A-Za-z0-9_.-]+)\2/g;
  for (const m of rest.matchAll(re)) out.push({ chomp: m[1] === '-', expand: m[2] === '', name: m[3] });
  return out;
}

/** Parses a Dockerfile's text; `file` names it in errors ("Dockerfile"). */
export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { escape, syntax } = readDirectives(lines, file);
  const esc = escape === '\\' ? '\\\\' : '`';
  const continuation = new RegExp(`${esc}[ \\t]*$`);
  const instructions: RawInstruction[] = [];
  let i = 0;
  while (i < lines.length) {
    const startLine = i + 1;
    const first = lines[i++].replace(/^[ \t]+/, '');
    if (isComment(first) || isBlank(first)) continue;
    let line = first;
    let open = continuation.test(line);
    if (open) line = line.replace(continuation, '');
    while (open && i < lines.length) {
      const next = lines[i++];
      // Comments and blank lines inside a continued instruction are dropped, as BuildKit does.
      if (isComment(next) || isBlank(next)) continue;
      open = continuation.test(next);
      line += open ? next.replace(continuation, '') : next;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line.trim());
    if (!m) continue;
    const cmd = m[1].toLowerCase();
    const { flags, rest } = splitFlags(m[2]);
    const heredocs: Heredoc[] = [];
    if (HEREDOC_CMDS.has(cmd) && !rest.startsWith('[')) {
      for (const word of heredocWords(rest)) {
        const body: string[] = [];
        let closed = false;
        while (i < lines.length) {
          let l = lines[i++];
          if (word.chomp) l = l.replace(/^\t+/, '');
          if (l === word.name) {
            closed = true;
            break;
          }
          body.push(l);
        }
        if (!closed) throw new InvalidArgument(`${file}:${startLine}: unterminated heredoc ${word.name}`);
        heredocs.push({ ...word, content: body.map((l) => `${l}\n`).join('') });
      }
    }
    instructions.push({ cmd, flags, rest, original: line.trim(), line: startLine, heredocs });
  }
  return { escape, syntax, instructions };
}
