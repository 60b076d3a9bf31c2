// The CLI's column wording: docker's CREATED ("5 minutes ago"), CreatedAt, short IDs and
// ellipsis; sizes and durations are go-units' (src/units), re-exported for the commands.
import { humanDuration } from '../units/index.js';

export { humanDuration, humanSize } from '../units/index.js';

/** "N units ago" for a unix time in seconds, as docker prints CREATED columns. */
export function timeAgo(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** Go's time.Time String() layout docker prints in CreatedAt: `2026-11-24 00:12:44 +0000 UTC`. */
export function goTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** docker's stringid.TruncateID: strip `sha256:`, keep 12 characters. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  return (i >= 0 ? id.slice(i + 1) : id).slice(0, 12);
}

/** docker formatter.Ellipsis: cut to `max` code points, the last one being `…`. */
export function ellipsis(s: string, max: number): string {
  const cps = [...s];
  if (cps.length <= max) return s;
  return `${cps.slice(0, max - 1).join('')}…`;
}
