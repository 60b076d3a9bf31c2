// The health check flags of run/create (--health-cmd, --health-interval, …, --no-healthcheck)
// and their translation into ContainerConfig.Healthcheck, with the docker CLI's checks and
// messages. Durations are Go's (time.ParseDuration) and travel as nanoseconds.
import { HEALTH_ON_FAILURE, type HealthConfig, type HealthOnFailure } from '../contract/index.js';
import { parseGoDuration } from '../units/index.js';
import { FlagError, type FlagSpec, type Parsed } from './flags.js';
import { UsageFailure } from './network-options.js';

export const healthFlags: FlagSpec[] = [
  { long: 'health-cmd', type: 'string', help: 'Command to run to check health' },
  { long: 'health-interval', type: 'string', help: 'Time between running the check (ms|s|m|h) (default 0s)' },
  { long: 'health-retries', type: 'int', help: 'Consecutive failures needed to report unhealthy' },
  { long: 'health-start-interval', type: 'string', help: 'Time between running the check during the start period (ms|s|m|h) (default 0s)' },
  { long: 'health-start-period', type: 'string', help: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { long: 'health-timeout', type: 'string', help: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
  { long: 'health-on-failure', type: 'string', help: "Action to take once the container turns unhealthy: none, kill, restart or stop (Podman's flag; default none)" },
  { long: 'no-healthcheck', type: 'bool', help: 'Disable any container-specified HEALTHCHECK' },
];

/** `--health-on-failure`, checked here so a typo fails before anything is created. */
export function healthOnFailureFrom(p: Parsed): HealthOnFailure | undefined {
  const raw = p.flags['health-on-failure'] as string | undefined;
  if (raw === undefined) return undefined;
  if (!(HEALTH_ON_FAILURE as readonly string[]).includes(raw)) {
    throw new FlagError(`invalid argument "${raw}" for "--health-on-failure" flag: must be one of ${HEALTH_ON_FAILURE.join(', ')}`);
  }
  return raw as HealthOnFailure;
}

function durationFlag(p: Parsed, long: string): number {
  const raw = p.flags[long] as string | undefined;
  if (raw === undefined) return 0;
  try {
    return parseGoDuration(raw);
  } catch (e) {
    throw new FlagError(`invalid argument "${raw}" for "--${long}" flag: ${(e as Error).message}`);
  }
}

/**
 * The Healthcheck to send, or undefined when no health flag was given (the image's applies).
 * Throws UsageFailure for the combinations docker refuses before calling the daemon.
 */
export function healthcheckFrom(p: Parsed): HealthConfig | undefined {
  const cmd = (p.flags['health-cmd'] as string | undefined) ?? '';
  const interval = durationFlag(p, 'health-interval');
  const timeout = durationFlag(p, 'health-timeout');
  const startPeriod = durationFlag(p, 'health-start-period');
  const startInterval = durationFlag(p, 'health-start-interval');
  const retries = (p.flags['health-retries'] as number | undefined) ?? 0;
  const any = cmd !== '' || interval !== 0 || timeout !== 0 || startPeriod !== 0 || startInterval !== 0 || retries !== 0;
  if (p.flags['no-healthcheck']) {
    if (any) throw new UsageFailure('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  for (const [v, name] of [[interval, 'interval'], [timeout, 'timeout'], [retries, 'retries'], [startPeriod, 'start-period'], [startInterval, 'start-interval']] as const) {
    if (v < 0) throw new UsageFailure(`--health-${name} cannot be negative`);
  }
  const hc: HealthConfig = {};
  if (cmd) hc.Test = ['CMD-SHELL', cmd];
  // Zero fields are left out (Go's omitempty): the daemon fills them from the image.
  if (interval) hc.Interval = interval;
  if (timeout) hc.Timeout = timeout;
  if (startPeriod) hc.StartPeriod = startPeriod;
  if (startInterval) hc.StartInterval = startInterval;
  if (retries) hc.Retries = retries;
  return hc;
}
