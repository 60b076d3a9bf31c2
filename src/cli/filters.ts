// `--filter key=value` (repeatable) → the Engine API's filters map.
import { FlagError } from './flags.js';

export function parseFilters(list: string[]): Record<string, string[]> {
  const f: Record<string, string[]> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FlagError(`invalid argument "${item}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    const k = item.slice(0, eq).trim().toLowerCase();
    (f[k] ??= []).push(item.slice(eq + 1));
  }
  return f;
}
