// `compose run`: a one-off container for a service (compose v2's prepareRun). Its
// dependencies are brought up first (unless --no-deps); the container itself is named
// `<project>-<service>-run-<12 hex>`, labelled oneoff=True with a slug, has no restart
// policy, publishes the service's ports only with --service-ports, and joins the networks
// without the service-name alias unless --use-aliases (so DNS for the service keeps
// answering with the real replicas).
import { randomBytes } from 'node:crypto';
import type { EngineClient } from '../client/index.js';
import { InvalidArgument, NotFound } from '../errdefs/index.js';
import { createRequest } from './convert.js';
import { connectOrRemove } from './create-container.js';
import { withDependencies } from './graph.js';
import { serviceHash } from './hash.js';
import * as L from './labels.js';
import type { Project, Service } from './model.js';
import { parsePortShort, parseVolumeShort } from './short-syntax.js';
import type { Progress } from './progress.js';
import { waitForDependencies } from './dependencies.js';
import { ensureImages, ensureNetworks, ensureVolumes, scaleOf, up } from './up.js';

export interface RunOptions {
  service: string;
  /** X-Registry-Auth for a registry's domain, for pulls of missing images. */
  registryAuth?: (domain: string) => Promise<string | undefined>;
  /** Replaces the service's command when non-empty. */
  command?: string[];
  entrypoint?: string[];
  /** `-e KEY=VAL` (already resolved), added over the service's environment. */
  env?: string[];
  labels?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** `--name`; default `<project>-<service>-run-<slug>`. */
  name?: string;
  /** `--service-ports`: publish the service's ports (default: none published). */
  servicePorts?: boolean;
  /** `--use-aliases`: keep the service name as a network alias. */
  useAliases?: boolean;
  noDeps?: boolean;
  /** `--rm`: the daemon removes the container when it exits. */
  autoRemove?: boolean;
  tty: boolean;
  interactive: boolean;
  /** `--build` / `--no-build` for the run service and its dependencies. */
  build?: 'always' | 'never' | 'missing';
  /** `-p`: these ports instead of the service's (short syntax); excludes servicePorts. */
  publish?: string[];
  /** `-v`: mounts (short syntax) added to the service's; relative paths from the project directory. */
  volumes?: string[];
}

export interface OneOff { id: string; name: string }

/** The service as `run` changes it (command, env, user...), before conversion. */
export function runService(s: Service, o: RunOptions, projectDir = '/'): Service {
  if (o.publish?.length && o.servicePorts) throw new InvalidArgument('--service-ports and --publish are incompatible');
  const env = { ...(s.environment ?? {}) };
  for (const e of o.env ?? []) {
    const i = e.indexOf('=');
    if (i < 0) env[e] = null;
    else env[e.slice(0, i)] = e.slice(i + 1);
  }
  const r: Service = { ...s, environment: env, tty: o.tty, stdin_open: o.interactive, restart: undefined };
  if (o.command?.length) r.command = o.command;
  if (o.entrypoint) r.entrypoint = o.entrypoint;
  if (o.user) r.user = o.user;
  if (o.workdir) r.working_dir = o.workdir;
  if (!o.servicePorts) r.ports = [];
  if (o.publish?.length) r.ports = o.publish.flatMap((p) => parsed(() => parsePortShort(p), `invalid --publish ${p}`));
  // compose v2 appends -v mounts; one on the same target as the service's replaces it (the engine refuses duplicates).
  for (const v of o.volumes ?? []) {
    const m = parsed(() => parseVolumeShort(v, projectDir), `invalid --volume ${v}`);
    r.volumes = [...(r.volumes ?? []).filter((x) => x.target !== m.target), m];
  }
  if (r.deploy) r.deploy = { ...r.deploy, restart_policy: undefined };
  return r;
}

function parsed<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    throw new InvalidArgument(`${what}: ${(e as Error).message}`);
  }
}

/** Brings up the dependencies, then creates (not starts) the one-off container. */
export async function createOneOff(c: EngineClient, p: Project, o: RunOptions, progress: Progress): Promise<OneOff> {
  const base = p.services[o.service];
  if (!base) throw new NotFound(`no such service: ${o.service}`);
  // Flag errors surface before the dependencies are brought up.
  const s = runService(base, o, p.workingDir);
  const deps = o.noDeps ? [] : withDependencies(p.services, [o.service]).filter((n) => n !== o.service);
  if (deps.length) await up(c, p, { services: deps, build: o.build, registryAuth: o.registryAuth }, progress);
  const self = { [o.service]: s };
  await ensureNetworks(c, p, self, progress);
  await ensureVolumes(c, p, self, progress);
  const images = await ensureImages(c, p, self, { build: o.build, registryAuth: o.registryAuth }, progress);
  if (!o.noDeps) await waitForDependencies(c, p, base, progress, { used: p.services, scaleOf: (x) => scaleOf(x, {}) });
  const slug = randomBytes(32).toString('hex');
  const name = o.name ?? `${p.name}-${s.name}-run-${slug.slice(0, 12)}`;
  const req = createRequest(p, s, { number: 1, hash: serviceHash(s), oneoff: true, name, imageId: images[o.service] });
  const body = req.body as Record<string, unknown> & { Labels?: Record<string, string>; HostConfig?: Record<string, unknown>; NetworkingConfig?: { EndpointsConfig?: Record<string, Record<string, unknown>> } };
  body.Labels = { ...body.Labels, ...(o.labels ?? {}), [L.SLUG]: slug };
  body.AttachStdin = o.interactive;
  body.AttachStdout = true;
  body.AttachStderr = true;
  body.OpenStdin = o.interactive || undefined;
  body.StdinOnce = o.interactive || undefined;
  body.HostConfig = { ...body.HostConfig, AutoRemove: o.autoRemove || undefined };
  delete body.HostConfig.RestartPolicy;
  const endpoints = [...Object.values(body.NetworkingConfig?.EndpointsConfig ?? {}), ...req.more.map((m) => m.endpoint)];
  // Without --use-aliases the one-off answers only to its own name (compose v2's getAliases).
  if (!o.useAliases) for (const e of endpoints) e.Aliases = [name];
  const { Id } = await c.createContainer(req.body, { name });
  await connectOrRemove(c, Id, req.more);
  return { id: Id, name };
}
