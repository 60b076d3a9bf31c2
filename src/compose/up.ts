// `compose up` as a reconciler: project networks and volumes first, then images (built or
// pulled), then services layer by layer in dependency order. Each service's containers are
// compared with the wanted configuration hash and scale: up-to-date ones are started if
// stopped, changed ones recreated, missing numbers created, extra numbers removed.
import type { ContainerSummary, EngineClient } from '../client/index.js';
import type { Readable } from 'node:stream';
import { isApiError, jsonLines } from '../client/index.js';
import { Conflict, InvalidArgument, NotFound, withContext } from '../errdefs/index.js';
import { buildService } from './build.js';
import { projectContainers, number, serviceOf, name as containerNameOf } from './containers.js';
import { createRequest, imageName } from './convert.js';
import { createNetwork, findNetwork } from '../client/index.js';
import { connectOrRemove } from './create-container.js';
import { notFoundAsUndefined } from './engine-api.js';
import { waitForDependencies } from './dependencies.js';
import { startLayers, withDependencies } from './graph.js';
import { serviceHash } from './hash.js';
import { inheritedMounts, type InheritedMount } from './inherit.js';
import * as L from './labels.js';
import type { Project, Service } from './model.js';
import type { Progress } from './progress.js';
import { parseNormalizedNamed, repositoryName } from '../reference/reference.js';

/** The label the engine (Docker 23+, wharf) puts on anonymous volumes. */
const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface UpOptions {
  /** Services named on the command line (with their dependencies); empty: all. */
  services?: string[];
  /** `--build`: always build; `--no-build`: never; default: build images that are missing. */
  build?: 'always' | 'never' | 'missing';
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noStart?: boolean;
  /** `--no-deps`: leave dependencies out. */
  noDeps?: boolean;
  removeOrphans?: boolean;
  /** `--scale svc=N`. */
  scale?: Record<string, number>;
  /** Stop timeout (seconds) when recreating or scaling down. */
  timeout?: number;
  /** `-V`: recreate anonymous volumes instead of keeping the old container's. */
  renewAnonVolumes?: boolean;
  /** `--pull`: the pull_policy of every service, in place of the file's (compose v2's createOptions.Apply). */
  pull?: PullPolicy;
  /** `--quiet-pull`: pull without the layers' progress lines. */
  quietPull?: boolean;
  /** `--wait-timeout` (seconds): also the deadline for depends_on waits, as compose v2; none when unset or 0. */
  waitTimeout?: number;
  /** X-Registry-Auth for a registry's domain, for pulls of missing images (the CLI reads the user's credentials). */
  registryAuth?: (domain: string) => Promise<string | undefined>;
}

export const PULL_POLICIES = ['always', 'missing', 'never', 'build', 'if_not_present'] as const;
export type PullPolicy = typeof PULL_POLICIES[number];

/** Checks `up --pull`'s value; the flag's default, "policy", means the file's pull_policy. */
export function pullOption(v: string | undefined): PullPolicy | undefined {
  if (v === undefined || v === 'policy') return undefined;
  if (!(PULL_POLICIES as readonly string[]).includes(v)) throw new InvalidArgument(`invalid --pull option "${v}"`);
  return v as PullPolicy;
}

/** The services `up` acts on, in the order of their dependency layers. */
export function selectedServices(p: Project, o: { services?: string[]; noDeps?: boolean }): Record<string, Service> {
  const names = o.services?.length ? (o.noDeps ? o.services : withDependencies(p.services, o.services)) : Object.keys(p.services);
  return Object.fromEntries(names.sort().map((n) => [n, p.services[n] as Service]));
}

export async function ensureNetworks(c: EngineClient, p: Project, used: Record<string, Service>, progress: Progress): Promise<void> {
  const keys = new Set(Object.values(used).flatMap((s) => Object.keys(s.networks ?? {})));
  for (const k of [...keys].sort()) {
    const n = p.networks[k]!;
    const found = await findNetwork(c, n.name);
    if (n.external) {
      if (!found) throw new NotFound(`network ${n.name} declared as external, but could not be found`);
      continue;
    }
    if (found) {
      // Compose v2's resolveOrCreateNetwork: warn about a foreign network, refuse one that
      // stands for another of the file's networks.
      const project = found.Labels?.[L.PROJECT];
      if (project === undefined) progress.note(`WARN[0000] a network with name ${n.name} exists but was not created by compose.\nSet \`external: true\` to use an existing network\n`);
      else if (project !== p.name) progress.note(`WARN[0000] a network with name ${n.name} exists but was not created for project "${p.name}".\nSet \`external: true\` to use an existing network\n`);
      const key = found.Labels?.[L.NETWORK] ?? '';
      if (key !== k) throw new Conflict(`network ${n.name} was found but has incorrect label ${L.NETWORK} set to "${key}"`);
      continue;
    }
    progress.event('Network', n.name, 'Creating');
    await createNetwork(c, {
      Name: n.name, Driver: n.driver ?? 'bridge', Options: n.driver_opts, Internal: n.internal, Attachable: n.attachable, EnableIPv6: n.enable_ipv6,
      IPAM: n.ipam ? { Driver: n.ipam.driver ?? 'default', Config: (n.ipam.config ?? []).map((x) => ({ Subnet: x.subnet, Gateway: x.gateway, IPRange: x.ip_range })) } as never : undefined,
      Labels: { ...(n.labels ?? {}), [L.PROJECT]: p.name, [L.NETWORK]: k, [L.VERSION]: L.COMPOSE_VERSION },
    });
    progress.event('Network', n.name, 'Created');
  }
}

export async function ensureVolumes(c: EngineClient, p: Project, used: Record<string, Service>, progress: Progress): Promise<void> {
  const keys = new Set(Object.values(used).flatMap((s) => (s.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source as string)));
  for (const k of [...keys].sort()) {
    // A volume the file does not declare (`run -v name:/path`) is the daemon's to create.
    const v = p.volumes[k];
    if (!v) continue;
    const found = await notFoundAsUndefined(c.inspectVolume(v.name));
    if (v.external) {
      if (!found) throw new NotFound(`external volume "${v.name}" not found`);
      continue;
    }
    if (found) continue;
    progress.event('Volume', v.name, 'Creating');
    await c.createVolume({ Name: v.name, Driver: v.driver ?? 'local', DriverOpts: v.driver_opts ?? {}, Labels: { ...(v.labels ?? {}), [L.PROJECT]: p.name, [L.VOLUME]: k, [L.VERSION]: L.COMPOSE_VERSION } } as never);
    progress.event('Volume', v.name, 'Created');
  }
}

async function imageId(c: EngineClient, ref: string): Promise<string | undefined> {
  const img = await notFoundAsUndefined(c.inspectImage(ref));
  return img?.value.Id;
}

/** Builds or pulls what the services need; returns image IDs by service. */
export async function ensureImages(c: EngineClient, p: Project, used: Record<string, Service>, o: Pick<UpOptions, 'build' | 'registryAuth' | 'quietPull' | 'pull'>, progress: Progress): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const s of Object.values(used)) {
    const ref = imageName(p, s);
    const policy = o.pull ?? s.pull_policy;
    let id = policy === 'always' || policy === 'build' ? undefined : await imageId(c, ref);
    if (s.build && o.build !== 'never' && (o.build === 'always' || policy === 'build' || !id)) {
      id = await buildService(c, p, s, {}, progress);
      id ||= await imageId(c, ref);
    }
    if (!id && policy !== 'never') {
      progress.event('Image', ref, 'Pulling');
      const named = parseNormalizedNamed(ref);
      const res = await c.pullImage(repositoryName(named), { tag: named.digest ?? named.tag ?? 'latest', registryAuth: await o.registryAuth?.(named.domain) });
      const err = await pullOutput(res, o.quietPull ? undefined : progress);
      if (err) throw new InvalidArgument(`service "${s.name}": pull access denied or image not found: ${err}`);
      progress.event('Image', ref, 'Pulled');
      id = await imageId(c, ref);
    }
    if (!id) throw new NotFound(`service "${s.name}": no such image: ${ref}`);
    ids[s.name] = id;
  }
  return ids;
}

/**
 * Reads a pull's JSON-lines stream; returns its error, if any. With `progress`, each layer's
 * status changes become compose v2's plain progress lines (` 9ad63333ebc9 Pull complete `);
 * repeated statuses (Downloading…) are shown once. `--quiet-pull` passes no progress.
 */
async function pullOutput(res: Readable, progress: Progress | undefined): Promise<string | undefined> {
  const last = new Map<string, string>();
  let error: string | undefined;
  for await (const m of jsonLines<{ id?: string; status?: string; progressDetail?: unknown; error?: string }>(res)) {
    if (m.error) error ??= m.error;
    // As compose's toPullProgressEvent: only layer messages (an ID and a progress detail).
    if (!progress || !m.id || !m.status || m.progressDetail === undefined || last.get(m.id) === m.status) continue;
    last.set(m.id, m.status);
    progress.note(` ${m.id} ${m.status} \n`);
  }
  return error;
}

export function scaleOf(s: Service, o: { scale?: Record<string, number> }): number {
  return o.scale?.[s.name] ?? s.scale ?? s.deploy?.replicas ?? 1;
}

export async function up(c: EngineClient, p: Project, o: UpOptions, progress: Progress): Promise<void> {
  const used = selectedServices(p, o);
  for (const [svc, n] of Object.entries(o.scale ?? {})) {
    if (!p.services[svc]) throw new NotFound(`no such service: ${svc}`);
    if (n > 1 && p.services[svc]!.container_name) throw new InvalidArgument(`service "${svc}" has a container_name and cannot be scaled`);
  }
  // Images first, as compose v2 does: a build or pull that fails leaves nothing behind.
  const images = await ensureImages(c, p, used, o, progress);
  await ensureNetworks(c, p, used, progress);
  await ensureVolumes(c, p, used, progress);
  const existing = await projectContainers(c, p.name, { all: true });
  await orphans(c, p, existing, o, progress);
  const byService = (svc: string): ContainerSummary[] => existing.filter((x) => serviceOf(x) === svc);
  const running = new Map<string, string>();
  // The first failure in a layer stops its siblings' dependency waits.
  const failed = new AbortController();
  const wait = { used, scaleOf: (s: Service) => scaleOf(s, o), signal: failed.signal, timeoutMs: (o.waitTimeout ?? 0) * 1000 };
  for (const layer of startLayers(used)) {
    await Promise.all(layer.map(async (svc) => {
      const s = used[svc]!;
      try {
        await waitForDependencies(c, p, s, progress, wait);
      } catch (e) {
        failed.abort(e);
        throw e;
      }
      try {
        const ids = await reconcileService(c, p, s, byService(svc), { ...o, imageId: images[svc], containerOf: (x) => running.get(x) }, progress);
        if (ids[0]) running.set(svc, ids[0]);
      } catch (e) {
        failed.abort(e);
        // Name the failing service; keep the daemon's own words (and its prefix) after it.
        throw withContext(isApiError(e) ? new Error(`Error response from daemon: ${e.message}`) : e, `service "${svc}"`);
      }
    }));
  }
}

async function orphans(c: EngineClient, p: Project, existing: ContainerSummary[], o: UpOptions, progress: Progress): Promise<void> {
  const known = (svc: string): boolean => Boolean(p.services[svc] || p.disabled[svc]);
  const found = existing.filter((x) => !known(serviceOf(x)));
  if (!found.length) return;
  if (!o.removeOrphans) {
    progress.note(`WARN[0000] Found orphan containers ([${found.map(containerNameOf).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n`);
    return;
  }
  for (const x of found) await removeOne(c, x, { timeout: o.timeout }, progress);
}

export async function removeOne(c: EngineClient, x: ContainerSummary, o: { timeout?: number; volumes?: boolean }, progress: Progress): Promise<void> {
  const n = containerNameOf(x);
  if (x.State === 'running' || x.State === 'paused' || x.State === 'restarting') {
    progress.event('Container', n, 'Stopping');
    await c.stopContainer(x.Id, { timeout: o.timeout });
    progress.event('Container', n, 'Stopped');
  }
  progress.event('Container', n, 'Removing');
  await notFoundAsUndefined(c.removeContainer(x.Id, { force: true, volumes: o.volumes }));
  if (o.volumes) await removeInheritedAnonymous(c, x);
  progress.event('Container', n, 'Removed');
}

/**
 * `rm -v` spares a volume the container named, and a recreate names the anonymous volume
 * it inherits (inherit.ts); such volumes still carry the engine's anonymous label, so
 * `down -v` and `up -V` remove them here unless another container uses them.
 */
async function removeInheritedAnonymous(c: EngineClient, x: ContainerSummary): Promise<void> {
  for (const m of x.Mounts ?? []) {
    if (m.Type !== 'volume' || !m.Name) continue;
    const v = await notFoundAsUndefined(c.inspectVolume(m.Name));
    if (!v || (v as { Labels?: Record<string, string> | null }).Labels?.[ANONYMOUS_LABEL] === undefined) continue;
    try {
      await c.removeVolume(m.Name);
    } catch (e) {
      if (!isApiError(e) || (e.statusCode !== 404 && e.statusCode !== 409)) throw e;
    }
  }
}

interface ReconcileOptions extends UpOptions { imageId?: string; containerOf: (svc: string) => string | undefined }

/** Returns the IDs of the service's containers after reconciling, by number. */
async function reconcileService(c: EngineClient, p: Project, s: Service, have: ContainerSummary[], o: ReconcileOptions, progress: Progress): Promise<string[]> {
  const hash = serviceHash(s);
  const want = scaleOf(s, o);
  // Extra replicas go first, highest numbers first (compose removes from the end).
  const sorted = [...have].sort((a, b) => number(a) - number(b));
  const keep = sorted.slice(0, want);
  for (const x of sorted.slice(want).reverse()) await removeOne(c, x, o, progress);
  const ids: string[] = [];
  const used = new Set(keep.map(number));
  let volumes: Promise<string[]> | undefined; // the image's, looked up once for all recreates
  for (const x of keep) {
    const changed = x.Labels?.[L.CONFIG_HASH] !== hash || (o.imageId !== undefined && x.ImageID !== o.imageId);
    if (o.forceRecreate || (changed && !o.noRecreate)) {
      progress.event('Container', containerNameOf(x), 'Recreate');
      // Removed without its volumes, the old container's anonymous ones live on in the new one (unless -V).
      const inherit = o.renewAnonVolumes ? [] : inheritedMounts(s, x.Mounts ?? [], await (volumes ??= imageVolumes(c, o.imageId)));
      await removeOne(c, x, { timeout: o.timeout, volumes: o.renewAnonVolumes }, silentWrap(progress));
      ids.push(await createOne(c, p, s, { number: number(x), hash, replacing: true, inherit }, o, progress));
      continue;
    }
    if (!o.noStart && x.State !== 'running') {
      progress.event('Container', containerNameOf(x), 'Starting');
      if (x.State === 'paused') await c.unpauseContainer(x.Id);
      else await c.startContainer(x.Id);
      progress.event('Container', containerNameOf(x), 'Started');
    } else if (x.State === 'running') progress.event('Container', containerNameOf(x), 'Running');
    ids.push(x.Id);
  }
  for (let n = 1; ids.length < want; n++) {
    if (used.has(n)) continue;
    used.add(n);
    ids.push(await createOne(c, p, s, { number: n, hash }, o, progress));
  }
  return ids;
}

function silentWrap(progress: Progress): Progress {
  return { event: () => undefined, note: progress.note };
}

/** One replica. `replacing`: compose v2's events for a recreate (Recreate … Recreated, then Starting). */
async function imageVolumes(c: EngineClient, image: string | undefined): Promise<string[]> {
  if (!image) return [];
  const img = await notFoundAsUndefined(c.inspectImage(image));
  return Object.keys((img?.value.Config as { Volumes?: Record<string, unknown> } | undefined)?.Volumes ?? {});
}

async function createOne(c: EngineClient, p: Project, s: Service, r: { number: number; hash: string; replacing?: boolean; inherit?: InheritedMount[] }, o: ReconcileOptions, progress: Progress): Promise<string> {
  const req = createRequest(p, s, { number: r.number, hash: r.hash, imageId: o.imageId, containerOf: o.containerOf, inherit: r.inherit });
  if (!r.replacing) progress.event('Container', req.name, 'Creating');
  let id: string;
  try {
    ({ Id: id } = await c.createContainer(req.body, { name: req.name }));
  } catch (e) {
    if (isApiError(e) && e.statusCode === 409) throw new Conflict(e.message);
    throw e;
  }
  await connectOrRemove(c, id, req.more);
  progress.event('Container', req.name, r.replacing ? 'Recreated' : 'Created');
  if (!o.noStart) {
    progress.event('Container', req.name, 'Starting');
    await c.startContainer(id);
    progress.event('Container', req.name, 'Started');
  }
  return id;
}
