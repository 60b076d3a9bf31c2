// .env files as Compose reads them: `KEY=VALUE` lines, `#` comments, `export ` prefix,
// single quotes literal, double quotes with \n escapes, unquoted values trimmed and cut at
// ` #`. Values may refer to earlier keys and the environment (`${X}`).
import { InvalidArgument } from '../errdefs/index.js';
import { interpolate, type Lookup } from './interpolate.js';

export function parseDotEnv(text: string, outer: Lookup = () => undefined, file = '.env'): Record<string, string> {
  const env: Record<string, string> = {};
  const lookup: Lookup = (k) => env[k] ?? outer(k);
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] as string).trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trim();
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) throw new InvalidArgument(`failed to read ${file}: line ${n + 1}: unexpected character in variable name "${key}"`);
    if (eq < 0) { const v = outer(key); if (v !== undefined) env[key] = v; continue; }
    let raw = line.slice(eq + 1).trim();
    if (raw.startsWith("'")) {
      // A single-quoted value may span lines; nothing inside is special.
      while (!raw.slice(1).includes("'") && n + 1 < lines.length) raw += `\n${lines[++n]}`;
      env[key] = raw.slice(1, raw.indexOf("'", 1));
    } else if (raw.startsWith('"')) {
      while (closingQuote(raw) < 0 && n + 1 < lines.length) raw += `\n${lines[++n]}`;
      const end = closingQuote(raw);
      const inner = raw.slice(1, end < 0 ? undefined : end).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      env[key] = interpolate(inner, lookup, key);
    } else {
      const hash = raw.search(/\s#/);
      env[key] = interpolate((hash < 0 ? raw : raw.slice(0, hash)).trim(), lookup, key);
    }
  }
  return env;
}

function closingQuote(raw: string): number {
  for (let j = 1; j < raw.length; j++) {
    if (raw[j] === '\\') { j++; continue; }
    if (raw[j] === '"') return j;
  }
  return -1;
}
