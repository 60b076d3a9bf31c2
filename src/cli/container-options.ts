// The create/run flags and their translation into a ContainerCreateBody: one small
// function per concern so each is testable without a daemon.
import { readFileSync } from 'node:fs';
import type { ContainerCreateBody } from '../client/types.js';
import { ExitError } from './context.js';
import { FlagError, type FlagSpec, type Parsed } from './flags.js';
import { networkFlags, networkOptionsFrom, parsePublish, UsageFailure, type NetworkOptions } from './network-options.js';
import { resourceFlags, resourceHostConfig } from './resource-options.js';
import { securityFlags, securityHostConfig } from './security-options.js';
import { mountFlags, mountOptions, type MountObject } from './mount-options.js';
import type { HealthConfig, HealthOnFailure } from '../contract/index.js';
import { healthcheckFrom, healthFlags, healthOnFailureFrom } from './health-options.js';

export const createFlags: FlagSpec[] = [
  { long: 'attach', short: 'a', type: 'list', help: 'Attach to STDIN, STDOUT or STDERR' },
  { long: 'entrypoint', type: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { long: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
  { long: 'env-file', type: 'list', help: 'Read in a file of environment variables' },
  { long: 'hostname', short: 'h', type: 'string', help: 'Container host name' },
  { long: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
  { long: 'label', short: 'l', type: 'list', help: 'Set meta data on a container' },
  { long: 'log-driver', type: 'string', help: 'Logging driver for the container' },
  { long: 'log-opt', type: 'list', help: 'Log driver options' },
  { long: 'name', type: 'string', help: 'Assign a name to the container' },
  { long: 'platform', type: 'string', help: 'Set platform if server is multi-platform capable' },
  { long: 'privileged', type: 'bool', help: 'Give extended privileges to this container' },
  { long: 'restart', type: 'string', default: 'no', help: 'Restart policy to apply when a container exits' },
  { long: 'rm', type: 'bool', help: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { long: 'stop-signal', type: 'string', help: 'Signal to stop the container' },
  { long: 'stop-timeout', type: 'int', help: 'Timeout (in seconds) to stop a container' },
  { long: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
  { long: 'user', short: 'u', type: 'string', help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { long: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  { long: 'volume', short: 'v', type: 'list', help: 'Bind mount a volume' },
  ...networkFlags,
  ...resourceFlags,
  ...securityFlags,
  ...mountFlags,
  ...healthFlags,
];

/** What the CLI decided, before it becomes API JSON. */
export interface CreateOptions {
  image: string; cmd: string[]; name?: string; env: string[]; labels: Record<string, string>;
  entrypoint?: string[]; hostname?: string; user?: string; workdir?: string;
  /** -p/-P/--expose/--network/--dns…, see network-options.ts; absent means the defaults. */
  net?: NetworkOptions;
  tty: boolean; interactive: boolean; detach: boolean; autoRemove: boolean; privileged: boolean;
  stopSignal?: string; stopTimeout?: number; binds: string[]; platform?: string;
  /** -v without a destination (anonymous volumes), --mount, --volumes-from (mount-options.ts). */
  volumes?: Record<string, object>; mounts?: MountObject[]; volumesFrom?: string[];
  attach: string[]; consoleSize?: [number, number];
  restart: RestartPolicy;
  /** --log-driver/--log-opt; Type "" lets the daemon choose, as docker's CLI sends it. */
  logConfig: { Type: string; Config: Record<string, string> };
  /** HostConfig resource fields (Memory, NanoCpus, Ulimits, ShmSize…), see resource-options.ts. */
  resources?: Record<string, unknown>;
  /** HostConfig security fields (CapAdd, SecurityOpt, Devices, IpcMode, Init…), see security-options.ts. */
  security?: Record<string, unknown>;
  /** --health-* / --no-healthcheck (health-options.ts); absent: the image's HEALTHCHECK applies. */
  healthcheck?: HealthConfig;
  /** --health-on-failure: sent as wharf's HostConfig.HealthOnFailure extension. */
  healthOnFailure?: HealthOnFailure;
}

export interface RestartPolicy { Name: string; MaximumRetryCount: number }

/** `--restart name[:count]`, checked as docker's CLI does; the daemon judges the name. */
export function parseRestartPolicy(s: string): RestartPolicy {
  if (!s) return { Name: '', MaximumRetryCount: 0 };
  const colon = s.indexOf(':');
  const name = colon < 0 ? s : s.slice(0, colon);
  const count = colon < 0 ? '' : s.slice(colon + 1);
  if (colon >= 0 && !name) throw new FlagError('invalid restart policy format: no policy provided before colon');
  if (count && !/^[+-]?\d+$/.test(count)) throw new FlagError('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** `-e K=V` as is; `-e K` takes K from our environment, or is dropped when unset (docker's rule). */
export function resolveEnv(list: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const outList: string[] = [];
  for (const e of list) {
    if (e.includes('=')) { outList.push(e); continue; }
    if (!e) throw new FlagError('invalid argument "" for "-e, --env" flag: variable name cannot be empty');
    if (env[e] !== undefined) outList.push(`${e}=${env[e]}`);
  }
  return outList;
}

/** --env-file: KEY=VALUE lines, `#` comments and blank lines skipped, bare KEY from our env. */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/^\s+/, '')).filter((l) => l && !l.startsWith('#'));
  return resolveEnv(lines, env);
}

export function parseLabels(list: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of list) {
    const eq = l.indexOf('=');
    if (eq < 0) labels[l] = ''; else labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return labels;
}

/**
 * docker prints its own checks of flag combinations as `docker: <why>` plus the help hint
 * (no usage block), exit 125. run has --detach, create has not.
 */
function usageFailure(p: Parsed, e: UsageFailure): ExitError {
  const command = 'detach' in p.flags ? 'run' : 'create';
  return new ExitError(125, `wharf: ${e.message}\n\nRun 'wharf ${command} --help' for more information`);
}

function networkOptions(p: Parsed): NetworkOptions {
  return usageChecked(p, () => networkOptionsFrom(p));
}

function usageChecked<T>(p: Parsed, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw e instanceof UsageFailure ? usageFailure(p, e) : e;
  }
}

export function createOptionsFrom(p: Parsed, o: { detach: boolean }): CreateOptions {
  const [image, ...cmd] = p.args as [string, ...string[]];
  const net = networkOptions(p);
  const envFiles = (p.flags['env-file'] as string[]).flatMap((f) => parseEnvFile(readFileSync(f, 'utf8')));
  const ep = p.flags.entrypoint as string | undefined;
  return {
    image, cmd, name: p.flags.name as string | undefined,
    env: [...envFiles, ...resolveEnv(p.flags.env as string[])],
    labels: parseLabels(p.flags.label as string[]),
    entrypoint: p.set.has('entrypoint') ? [ep ?? ''] : undefined,
    hostname: p.flags.hostname as string | undefined, user: p.flags.user as string | undefined,
    workdir: p.flags.workdir as string | undefined,
    net,
    tty: p.flags.tty as boolean, interactive: p.flags.interactive as boolean, detach: o.detach,
    autoRemove: p.flags.rm as boolean, privileged: p.flags.privileged as boolean,
    stopSignal: p.flags['stop-signal'] as string | undefined, stopTimeout: p.flags['stop-timeout'] as number | undefined,
    ...mountsOf(p), platform: p.flags.platform as string | undefined,
    attach: (p.flags.attach as string[]).map((s) => s.toLowerCase()),
    restart: parseRestartPolicy(p.flags.restart as string),
    logConfig: { Type: (p.flags['log-driver'] as string | undefined) ?? '', Config: Object.fromEntries((p.flags['log-opt'] as string[]).map((kv) => { const eq = kv.indexOf('='); return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)]; })) },
    resources: resourceHostConfig(p, { update: false }),
    security: securityHostConfig(p),
    healthcheck: usageChecked(p, () => healthcheckFrom(p)),
    healthOnFailure: healthOnFailureFrom(p),
  };
}

function mountsOf(p: Parsed): Pick<CreateOptions, 'binds' | 'volumes' | 'mounts' | 'volumesFrom'> {
  const m = mountOptions(p);
  return { binds: m.binds, volumes: m.volumes, mounts: m.mounts, volumesFrom: m.volumesFrom };
}

/** Which streams to attach: -a wins; else all three when attached, stdin only with -i. */
export function attachedStreams(o: CreateOptions): { stdin: boolean; stdout: boolean; stderr: boolean } {
  if (o.detach) return { stdin: false, stdout: false, stderr: false };
  if (o.attach.length) return { stdin: o.attach.includes('stdin'), stdout: o.attach.includes('stdout'), stderr: o.attach.includes('stderr') };
  return { stdin: o.interactive, stdout: true, stderr: true };
}

const NO_NETWORK_FLAGS: NetworkOptions = {
  mode: 'default', endpoints: { default: {} }, exposed: {}, bindings: {}, publishAll: false,
  dns: [], dnsSearch: [], dnsOptions: [], extraHosts: null,
};

export function toCreateBody(o: CreateOptions): ContainerCreateBody {
  const a = attachedStreams(o);
  const net = o.net ?? NO_NETWORK_FLAGS;
  const body: ContainerCreateBody = {
    Hostname: o.hostname ?? '', Domainname: '', User: o.user ?? '',
    AttachStdin: a.stdin, AttachStdout: a.stdout, AttachStderr: a.stderr,
    Tty: o.tty, OpenStdin: o.interactive, StdinOnce: o.interactive && a.stdin,
    Env: o.env, Cmd: o.cmd.length ? o.cmd : null, Image: o.image, WorkingDir: o.workdir ?? '',
    Entrypoint: o.entrypoint, Labels: o.labels,
    ...(o.volumes && Object.keys(o.volumes).length ? { Volumes: o.volumes } : {}),
    HostConfig: {
      AutoRemove: o.autoRemove, NetworkMode: net.mode, Privileged: o.privileged, Binds: o.binds.length ? o.binds : null,
      ...(o.mounts?.length ? { Mounts: o.mounts } : {}), ...(o.volumesFrom?.length ? { VolumesFrom: o.volumesFrom } : {}),
      PortBindings: net.bindings, PublishAllPorts: net.publishAll, RestartPolicy: o.restart, LogConfig: o.logConfig,
      Dns: net.dns, DnsOptions: net.dnsOptions, DnsSearch: net.dnsSearch, ExtraHosts: net.extraHosts,
      ...(o.consoleSize ? { ConsoleSize: o.consoleSize } : {}),
      ...o.resources,
      ...o.security,
      ...(o.healthOnFailure ? { HealthOnFailure: o.healthOnFailure } : {}),
    },
    NetworkingConfig: { EndpointsConfig: net.endpoints },
  };
  if (Object.keys(net.exposed).length) body.ExposedPorts = net.exposed;
  if (o.stopSignal) body.StopSignal = o.stopSignal;
  if (o.stopTimeout !== undefined) body.StopTimeout = o.stopTimeout;
  if (o.healthcheck) body.Healthcheck = o.healthcheck;
  return body;
}
