// docker/go-units wording, shared by the daemon (the API's "Up 2 minutes" Status strings) and
// the CLI (SIZE and CREATED columns, progress): decimal sizes with 4 significant digits
// ("4.26MB"), binary sizes ("1.5GiB"), durations ("About an hour", "Less than a second").

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function scaled(n: number, base: number, units: string[], precision: number): string {
  let v = n; let i = 0;
  while (v >= base && i < units.length - 1) { v /= base; i++; }
  return `${Number(v.toPrecision(precision))}${units[i]}`;
}

/** go-units HumanSizeWithPrecision(size, precision): `%.<precision>g` of the scaled value. */
export function humanSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1000, DECIMAL, precision);
}

/** go-units BytesSize: binary units, `%.4g`. */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY, 4);
}

/** go-units HumanDuration: whole seconds and minutes truncated, hours rounded. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

export { formatGoDuration, getTimestamp, parseGoDuration } from './go-time.js';
