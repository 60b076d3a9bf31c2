// The Engine API calls compose needs that EngineClient does not wrap yet (networks,
// volume lookup, build), on its json/raw plumbing. Compose v2 calls the same endpoints.
import type { Readable } from 'node:stream';
import type { EngineClient } from '../client/index.js';
import { isApiError, jsonLines } from '../client/index.js';
import type { NetworkCreateRequest, NetworkInspect } from '../contract/index.js';

type Filters = Record<string, string[]>;
const filtersQuery = (f: Filters): string => JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Object.fromEntries(v.map((x) => [x, true]))])));

export function listNetworks(c: EngineClient, filters: Filters): Promise<NetworkInspect[]> {
  return c.json({ path: '/networks', query: { filters: filtersQuery(filters) } });
}

/** Inspect, or undefined when the daemon says 404. */
export async function findNetwork(c: EngineClient, name: string): Promise<NetworkInspect | undefined> {
  try {
    return await c.json<NetworkInspect>({ path: `/networks/${encodeURIComponent(name)}` });
  } catch (e) {
    if (isApiError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}

export function createNetwork(c: EngineClient, req: NetworkCreateRequest): Promise<{ Id: string }> {
  return c.json({ method: 'POST', path: '/networks/create', body: req });
}

export async function removeNetwork(c: EngineClient, id: string): Promise<void> {
  (await c.raw({ method: 'DELETE', path: `/networks/${encodeURIComponent(id)}` })).resume();
}

export async function connectNetwork(c: EngineClient, net: string, container: string, endpoint: Record<string, unknown>): Promise<void> {
  (await c.raw({ method: 'POST', path: `/networks/${encodeURIComponent(net)}/connect`, body: { Container: container, EndpointConfig: endpoint } })).resume();
}

export async function notFoundAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isApiError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}

export interface BuildRequest {
  context: Readable;
  tags: string[];
  dockerfile: string;
  buildargs?: Record<string, string | null>;
  labels?: Record<string, string>;
  target?: string;
  nocache?: boolean;
  networkmode?: string;
  extrahosts?: string[];
}

/** POST /build (the classic builder API); resolves with the image ID, rejects with the build's error; `onLine` sees the output. */
export async function build(c: EngineClient, r: BuildRequest, onLine: (s: string) => void): Promise<string> {
  const q = new URLSearchParams();
  for (const t of r.tags) q.append('t', t);
  q.set('dockerfile', r.dockerfile);
  if (r.buildargs) q.set('buildargs', JSON.stringify(r.buildargs));
  if (r.labels) q.set('labels', JSON.stringify(r.labels));
  if (r.target) q.set('target', r.target);
  if (r.nocache) q.set('nocache', '1');
  if (r.networkmode) q.set('networkmode', r.networkmode);
  if (r.extrahosts?.length) q.set('extrahosts', r.extrahosts.join(','));
  q.set('rm', '1');
  const res = await c.raw({ method: 'POST', path: `/build?${q.toString()}`, rawBody: r.context, headers: { 'Content-Type': 'application/x-tar' } });
  let id = '';
  for await (const m of jsonLines<{ stream?: string; aux?: { ID?: string }; error?: string; errorDetail?: { message?: string } }>(res)) {
    if (m.error || m.errorDetail) throw new BuildFailed(m.errorDetail?.message ?? m.error ?? 'build failed');
    if (m.aux?.ID) id = m.aux.ID;
    if (m.stream) onLine(m.stream);
  }
  return id;
}

export class BuildFailed extends Error {
  override readonly name = 'BuildFailed';
}
