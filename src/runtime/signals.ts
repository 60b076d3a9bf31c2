// Signal names as Docker accepts them (`KILL`, `SIGKILL`, `sigkill`, `9`), turned into
// numbers before they reach runc so every runtime sees the same thing.

import { constants } from 'node:os';
import { InvalidArgument } from '../errdefs/index.js';

const byName = constants.signals as Record<string, number>;

/** The signal number for `signal`; throws InvalidArgument with Docker's wording otherwise. */
export function parseSignal(signal: string | number): number {
  if (typeof signal === 'number') {
    if (Number.isInteger(signal) && signal > 0 && signal <= 64) return signal;
    throw new InvalidArgument(`Invalid signal: ${signal}`);
  }
  const s = signal.trim();
  if (/^\d+$/.test(s)) return parseSignal(Number(s));
  const upper = s.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    // Linux: SIGRTMIN is 34 as glibc reports it, SIGRTMAX 64.
    const off = Number(rt[1] ?? 0);
    const n = name.startsWith('SIGRTMIN') ? 34 + off : 64 - off;
    if (n >= 34 && n <= 64) return n;
  }
  const n = byName[name];
  if (n === undefined) throw new InvalidArgument(`Invalid signal: ${signal}`);
  return n;
}
