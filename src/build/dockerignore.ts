// .dockerignore patterns with Docker's rules (moby/patternmatcher): one pattern a line,
// `#` comments, `!` re-includes, paths cleaned and taken relative to the context root,
// `*` and `?` never cross "/", `**` spans directories, and a pattern that matches a
// directory excludes everything below it. The last matching pattern decides.

interface Pattern {
  re: RegExp;
  exclusion: boolean;
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[];
  constructor(lines: string[]) {
    this.patterns = lines.flatMap((line) => {
      let p = line.trim();
      if (p === '' || p.startsWith('#')) return [];
      const exclusion = p.startsWith('!');
      if (exclusion) p = p.slice(1).trim();
      p = cleanPath(p);
      if (p === '' || p === '.') return [];
      return [{ re: globToRegExp(p), exclusion }];
    });
  }

  static parse(text: string): IgnoreMatcher {
    return new IgnoreMatcher(text.split(/\r?\n/));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether a context-relative path ("a/b.txt") is excluded. */
  ignores(rel: string): boolean {
    const parts = rel.split('/');
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue; // cannot change the outcome
      // The path or any of its parent directories (patternmatcher's MatchesOrParentMatches).
      let m = p.re.test(rel);
      for (let i = 1; !m && i < parts.length; i++) m = p.re.test(parts.slice(0, i).join('/'));
      if (m) matched = !p.exclusion;
    }
    return matched;
  }
}

/** Go's filepath.Clean for slash paths, leading "/" dropped (patterns are context-relative). */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      continue; // above the root is the root
    }
    out.push(part);
  }
  return out.join('/') || '.';
}

/** A Docker glob as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (ch === '\\' && i + 1 < glob.length) {
      re += escapeRe(glob[++i]);
    } else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(ch: string): string {
  return /[.+^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** Whether a COPY source contains glob characters (then it is matched, not looked up). */
export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}
