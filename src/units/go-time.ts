// Go's duration grammar and docker's timestamp arguments (api/types/time GetTimestamp), shared by
// every `since`/`until` in the daemon (events, prune filters) and the CLI (logs, events),
// and by the CLI's duration flags. Errors are plain, with Go's and docker's wording; callers
// wrap them in the error kind their side reports.

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds: "1.5s", "2h45m", "-300ms", "0". */
export function parseGoDuration(s: string): number {
  const bad = () => new Error(`time: invalid duration "${s}"`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  while (rest) {
    const m = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) throw /^(\d+\.?\d*|\.\d+)$/.test(rest) ? new Error(`time: missing unit in duration "${s}"`) : bad();
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** Go's Duration.String() for whole milliseconds: "30s", "1.5s", "500ms", "1m30s". */
export function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/**
 * docker's GetTimestamp, as unix seconds: a Go duration ("10m", "1h30m") before `nowMs`, unix
 * seconds as given ("1700000000.123456789"), or a date (RFC 3339, keeping nanoseconds).
 */
export function getTimestamp(value: string, nowMs = Date.now()): number {
  if (value !== '0') {
    try {
      return (nowMs - parseGoDuration(value) / 1e6) / 1000;
    } catch { /* not a duration */ }
  }
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`failed to parse value as time or duration: "${value}"`);
  // Date.parse keeps milliseconds only; keep the nanoseconds RFC 3339 may carry.
  const frac = /\.(\d+)/.exec(value.replace(/^[^T]*T/, ''))?.[1];
  return frac ? Math.floor(t / 1000) + Number(`0.${frac}`) : t / 1000;
}
