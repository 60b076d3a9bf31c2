// Docker's variable substitution in Dockerfile words (BuildKit's shell.Lex): quotes are
// removed, `$v`, `${v}`, `${v:-x}`, `${v-x}`, `${v:+x}`, `${v+x}`, `${v:?msg}`, `${v?msg}`
// expanded from the build's environment, and the escape character escapes the next one.
// `processWords` additionally splits on unquoted whitespace (after expansion of quoted parts).
import { InvalidArgument } from '../../errdefs/index.js';

export type Env = ReadonlyMap<string, string>;

interface Options {
  escape: string;
  /** Names looked up during expansion (for cache keys: which ARGs a step used). */
  used?: Set<string>;
  /** Heredoc bodies: quotes are ordinary characters, only variables are expanded. */
  literalQuotes?: boolean;
}

class Lexer {
  private pos = 0;
  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly o: Options,
  ) {}

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  /** Whole input → words; `split` false keeps one word with its whitespace. */
  words(split: boolean): string[] {
    const out: string[] = [];
    let word = '';
    let inWord = false;
    while (this.pos < this.s.length) {
      const ch = this.s[this.pos];
      if (split && /[ \t\r\n]/.test(ch)) {
        if (inWord) out.push(word);
        word = '';
        inWord = false;
        this.pos++;
        continue;
      }
      inWord = true;
      if (ch === this.o.escape) {
        this.pos++;
        if (this.pos >= this.s.length) break;
        word += this.s[this.pos++];
      } else if (ch === "'" && !this.o.literalQuotes) {
        word += this.singleQuoted();
      } else if (ch === '"' && !this.o.literalQuotes) {
        word += this.doubleQuoted();
      } else if (ch === '$') {
        const value = this.dollar();
        if (split) {
          // Unquoted expansions split into several words, as the shell does.
          const parts = value.split(/[ \t\r\n]+/);
          for (let k = 0; k < parts.length; k++) {
            if (k > 0) {
              if (word !== '') out.push(word);
              word = '';
            }
            word += parts[k];
          }
          inWord = word !== '' || parts.length === 1;
        } else word += value;
      } else {
        word += ch;
        this.pos++;
      }
    }
    if (inWord) out.push(word);
    return out;
  }

  private singleQuoted(): string {
    this.pos++;
    const end = this.s.indexOf("'", this.pos);
    if (end < 0) throw new InvalidArgument('unexpected end of statement while looking for matching single-quote');
    const text = this.s.slice(this.pos, end);
    this.pos = end + 1;
    return text;
  }

  private doubleQuoted(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new InvalidArgument('unexpected end of statement while looking for matching double-quote');
      const ch = this.s[this.pos];
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '$') {
        out += this.dollar();
        continue;
      }
      if (ch === this.o.escape) {
        const next = this.s[this.pos + 1];
        // Inside double quotes only `"`, `$` and the escape itself are escaped.
        if (next === '"' || next === '$' || next === this.o.escape) {
          out += next;
          this.pos += 2;
          continue;
        }
      }
      out += ch;
      this.pos++;
    }
  }

  private lookup(name: string): string | undefined {
    this.o.used?.add(name);
    return this.env.get(name);
  }

  private dollar(): string {
    this.pos++; // '$'
    const ch = this.peek();
    if (ch === '{') return this.braced();
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]/.exec(this.s.slice(this.pos));
    if (!m) return '$';
    this.pos += m[0].length;
    return this.lookup(m[0]) ?? '';
  }

  private braced(): string {
    this.pos++; // '{'
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]/.exec(this.s.slice(this.pos));
    if (!m) throw new InvalidArgument(`bad substitution: ${this.s}`);
    const name = m[0];
    this.pos += name.length;
    if (this.peek() === '}') {
      this.pos++;
      return this.lookup(name) ?? '';
    }
    let op = this.s[this.pos++] ?? '';
    if (op === ':') op += this.s[this.pos++] ?? '';
    if (![':-', '-', ':+', '+', ':?', '?'].includes(op)) throw new InvalidArgument(`unsupported modifier (${op}) in substitution`);
    const word = this.wordUntilBrace();
    const value = this.lookup(name);
    const colon = op.startsWith(':');
    const isSet = value !== undefined && (!colon || value !== '');
    switch (op.slice(-1)) {
      case '-':
        return isSet ? value! : word;
      case '+':
        return isSet ? word : '';
      default:
        if (!isSet) throw new InvalidArgument(`${name}: ${word || 'is not allowed to be unset'}`);
        return value!;
    }
  }

  /** The word of `${v:-word}`, itself expanded, up to the closing brace. */
  private wordUntilBrace(): string {
    let out = '';
    for (;;) {
      if (this.pos >= this.s.length) throw new InvalidArgument(`missing '}' in substitution: ${this.s}`);
      const ch = this.s[this.pos];
      if (ch === '}') {
        this.pos++;
        return out;
      }
      if (ch === this.o.escape) {
        out += this.s[this.pos + 1] ?? '';
        this.pos += 2;
      } else if (ch === "'") out += this.singleQuoted();
      else if (ch === '"') out += this.doubleQuoted();
      else if (ch === '$') out += this.dollar();
      else {
        out += ch;
        this.pos++;
      }
    }
  }
}

/** One word, quotes removed and variables expanded; whitespace kept. */
export function processWord(word: string, env: Env, o: Options): string {
  return new Lexer(word, env, o).words(false).join('');
}

/** A heredoc body: variables expanded, quotes and backslashes kept. */
export function expandVariables(text: string, env: Env): string {
  return new Lexer(text, env, { escape: '\u0000', literalQuotes: true }).words(false).join('');
}

/** Several words, split on unquoted whitespace after expansion. */
export function processWords(text: string, env: Env, o: Options): string[] {
  return new Lexer(text, env, o).words(true);
}

/**
 * BuildKit's parseWords: splits on whitespace outside quotes, keeping quotes and escapes
 * in the words (they are removed later, by processWord, with the variables).
 */
export function splitRawWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote = '';
  let blank = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (blank) {
      if (/\s/.test(ch)) continue;
      blank = false;
    }
    if (quote === '' && /\s/.test(ch)) {
      words.push(word);
      word = '';
      blank = true;
      continue;
    }
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      word += ch + text[++i];
      continue;
    }
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = '';
    word += ch;
  }
  if (word !== '') words.push(word);
  return words;
}
