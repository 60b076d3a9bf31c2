// `docker create`: resolve the image, merge its defaults with the request, validate the
// host config, then make the container's directory and record. The record is written
// last, so a crash mid-way leaves only a directory the start-up sweep removes.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ContainerCreateRequest, HostConfig } from '../contract/index.js';
import { Conflict, InvalidArgument, NotFound, msg } from '../errdefs/index.js';
import { failpoint, writeFileAtomic } from '../store/index.js';
import { initialState, type ContainerRecord, CONTAINER_RECORD_VERSION } from './container.js';
import { mountContext, type EngineDeps } from './deps.js';
import { dnsOptions, hostsFile, resolvConf } from './etc-files.js';
import { mergeConfig, pathAndArgs } from './merge-config.js';
import { randomName, validateName } from './names.js';
import { effectiveLogConfig } from './log-config.js';
import { prepareRootfsDirs, rootfsPaths } from './rootfs.js';
import { applyResourceDefaults, hostResources, validateResources } from './resources.js';
import { resolveMounts } from './mounts.js';
import { validateSecurity } from './security.js';
import { validateHealthcheck, validateHealthOnFailure } from './health.js';

/** The network namespace a mode gives: the host's, another container's, or its own. */
export function networkKind(mode: string | undefined): 'host' | 'own' | { container: string } {
  if (mode === 'host') return 'host';
  if (mode?.startsWith('container:')) return { container: mode.slice('container:'.length) };
  return 'own';
}

function validateHostConfig(hc: HostConfig): void {
  const rp = hc.RestartPolicy?.Name;
  const retries = hc.RestartPolicy?.MaximumRetryCount ?? 0;
  // moby's container.ValidateRestartPolicy, wording included; "" is accepted for old clients.
  if (rp && !['no', 'always', 'unless-stopped', 'on-failure'].includes(rp)) {
    throw new InvalidArgument(`invalid restart policy: unknown policy '${rp}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (rp === 'on-failure' && retries < 0) throw new InvalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (rp && rp !== 'on-failure' && retries !== 0) {
    throw new InvalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'${retries < 0 ? ' and cannot be negative' : ''}`);
  }
  if (hc.AutoRemove && rp && rp !== 'no') {
    throw new InvalidArgument('can\'t create \'AutoRemove\' container with restart policy');
  }
}

/** What only wharf's own callers ask of a create (the API has no way to say it). */
export interface CreateContainerOptions {
  /** A builder's RUN container: see ContainerSpecRecord.buildIntermediate. */
  buildIntermediate?: boolean;
}

export async function createContainer(
  deps: EngineDeps,
  body: ContainerCreateRequest,
  requestedName?: string,
  opts: CreateContainerOptions = {},
): Promise<{ Id: string; Warnings: string[] }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid container configuration: body must be a JSON object');
  if (!body.Image) throw new InvalidArgument('no image specified');
  const name = requestedName ? validateName(requestedName) : uniqueRandomName(deps);
  const taken = deps.store.nameTaken(name);
  if (taken) throw new Conflict(msg.nameInUse(name, taken));

  const image = deps.images.resolve(body.Image);
  const hostConfig: HostConfig = { NetworkMode: 'bridge', ...(body.HostConfig ?? {}) };
  if (!hostConfig.NetworkMode || hostConfig.NetworkMode === 'default') hostConfig.NetworkMode = 'bridge';
  validateHostConfig(hostConfig);
  validateHealthcheck(body.Healthcheck);
  const networks = endpointsFor(deps, hostConfig.NetworkMode!, body.NetworkingConfig?.EndpointsConfig);
  hostConfig.LogConfig = effectiveLogConfig(hostConfig.LogConfig, deps.config.logDefaults);
  const warnings = validateResources(hostConfig, hostResources(), { update: false });
  applyResourceDefaults(hostConfig);
  await validateSecurity(hostConfig, { findContainer: (ref) => deps.store.find(ref), containerDir: (cid) => deps.store.containerDir(cid) });

  const id = randomBytes(32).toString('hex');
  const config = mergeConfig(image.config.config ?? {}, body);
  validateHealthOnFailure(hostConfig.HealthOnFailure, config);
  const hostNetwork = hostConfig.NetworkMode === 'host';
  if (!config.Hostname) config.Hostname = hostNetwork ? deps.config.hostHostname : id.slice(0, 12);
  const { path: cmdPath, args } = pathAndArgs(config);
  const mounts = await resolveMounts(mountContext(deps), hostConfig, config);

  const dir = deps.store.containerDir(id);
  const rec: ContainerRecord = {
    version: CONTAINER_RECORD_VERSION,
    spec: {
      id,
      name,
      created: new Date().toISOString(),
      image: body.Image,
      imageId: image.id,
      path: cmdPath,
      args,
      config,
      hostConfig,
      hostnamePath: path.join(dir, 'hostname'),
      hostsPath: path.join(dir, 'hosts'),
      resolvConfPath: path.join(dir, 'resolv.conf'),
      ...(networks ? { networks } : {}),
      mounts,
      ...(opts.buildIntermediate ? { buildIntermediate: true } : {}),
    },
    state: initialState(),
  };
  try {
    await fs.mkdir(dir, { recursive: true });
    await prepareRootfsDirs(rootfsPaths(dir));
    failpoint('create:after-dir');
    const fqdn = config.Domainname ? `${config.Hostname}.${config.Domainname}` : config.Hostname!;
    // Three independent fsyncs, done together (create is on every `run`'s critical path).
    const durability = { durable: !opts.buildIntermediate };
    await Promise.all([
      writeFileAtomic(rec.spec.hostnamePath, `${config.Hostname}\n`, 0o644, durability),
      writeFileAtomic(rec.spec.hostsPath, hostsFile({ hostname: fqdn, extraHosts: hostConfig.ExtraHosts ?? [], hostGateway: deps.networks.hostGateway() }), 0o644, durability),
      resolvConf({ hostNetwork, ...dnsOptions(hostConfig) }).then((text) => writeFileAtomic(rec.spec.resolvConfPath, text, 0o644, durability)),
    ]);
    await deps.store.add(rec);
    failpoint('create:after-record');
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  deps.events.publish('container', 'create', id, containerAttributes(rec));
  return { Id: id, Warnings: warnings };
}

/** The networks of the mode and EndpointsConfig; `container:<x>` must name a container. */
function endpointsFor(deps: EngineDeps, mode: string, endpointsConfig: Record<string, unknown> | null | undefined) {
  const kind = networkKind(mode);
  if (typeof kind === 'object') {
    if (!kind.container) throw new InvalidArgument(`invalid network mode: ${mode}`);
    deps.store.get(kind.container);
  }
  return deps.networks.endpointsFor(mode, endpointsConfig);
}

function uniqueRandomName(deps: EngineDeps): string {
  for (;;) {
    const n = randomName();
    if (!deps.store.nameTaken(n)) return n;
  }
}

/** The attributes Docker attaches to container events: image, name, and the labels. */
export function containerAttributes(rec: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(rec.spec.config.Labels ?? {}), image: rec.spec.image, name: rec.spec.name, ...extra };
}

