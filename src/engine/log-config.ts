// A container's log driver and limits: `--log-driver json-file|local|none` and
// `--log-opt max-size=…,max-file=…`, over the daemon's `log-driver`/`log-opts`
// (daemon.json), over wharf's default. Unlike Docker's json-file, logs are always bounded:
// 10 MB × 3 unless told otherwise (`local` keeps Docker's 20 MB × 5).
import type { HostConfig } from '../contract/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import type { LogLimits } from '../runtime/log-rotation.js';

export type LogConfig = NonNullable<HostConfig['LogConfig']>;

export const DEFAULT_LOG_CONFIG: LogConfig = { Type: 'json-file', Config: {} };

const DRIVERS = ['json-file', 'local', 'none'];
const OPTS: Record<string, string[]> = {
  'json-file': ['max-size', 'max-file', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag', 'mode', 'max-buffer-size'],
  local: ['max-size', 'max-file', 'compress', 'mode', 'max-buffer-size'],
  none: ['mode', 'max-buffer-size'],
};
const DEFAULT_LIMITS: Record<string, LogLimits> = {
  'json-file': { maxSize: 10 * 1024 * 1024, maxFile: 3 },
  local: { maxSize: 20 * 1024 * 1024, maxFile: 5 },
};

/** go-units RAMInBytes: "10m" = 10 MiB, "512k", "1g", plain bytes. */
export function parseLogSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(value.trim());
  if (!m) throw new InvalidArgument(`invalid size: '${value}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[(m[2] ?? '').toLowerCase() as ''];
  return Math.floor(Number(m[1]) * mult);
}

/**
 * The container's LogConfig as Docker records it at create: the daemon's driver (and its
 * options) when the request names none; options checked against the driver.
 */
export function effectiveLogConfig(requested: HostConfig['LogConfig'], daemon: LogConfig = DEFAULT_LOG_CONFIG): LogConfig {
  const type = requested?.Type || daemon.Type || 'json-file';
  const config = requested?.Type ? { ...(requested.Config ?? {}) } : { ...(daemon.Config ?? {}), ...(requested?.Config ?? {}) };
  if (!DRIVERS.includes(type)) throw new InvalidArgument(`failed to create task for container: logger: no log driver named '${type}' is registered`);
  for (const key of Object.keys(config)) {
    if (!OPTS[type]?.includes(key)) throw new InvalidArgument(`unknown log opt '${key}' for ${type} log driver`);
  }
  logLimits({ Type: type, Config: config }); // validates the values
  return { Type: type, Config: config };
}

/** Size limits for a file-backed driver; undefined for `none`. */
export function logLimits(c: LogConfig): LogLimits | undefined {
  const defaults = DEFAULT_LIMITS[c.Type];
  if (!defaults) return undefined;
  const cfg = c.Config ?? {};
  const maxSize = cfg['max-size'] !== undefined ? parseLogSize(cfg['max-size']) : defaults.maxSize;
  if (cfg['max-size'] !== undefined && maxSize <= 0 && cfg['max-size'] !== '-1') throw new InvalidArgument('max-size must be a positive number');
  let maxFile = defaults.maxFile;
  if (cfg['max-file'] !== undefined) {
    if (!/^-?\d+$/.test(cfg['max-file'])) throw new InvalidArgument(`strconv.Atoi: parsing "${cfg['max-file']}": invalid syntax`);
    maxFile = Number(cfg['max-file']);
    if (maxFile < 1) throw new InvalidArgument('max-file cannot be less than 1');
  }
  return { maxSize: maxSize > 0 ? maxSize : defaults.maxSize, maxFile };
}

/** The limits a container's log runs under (records from before LogConfig was kept: the default). */
export function containerLogLimits(hc: HostConfig): LogLimits | undefined {
  return logLimits(hc.LogConfig?.Type ? hc.LogConfig : DEFAULT_LOG_CONFIG);
}
