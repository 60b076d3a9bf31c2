// The /networks endpoints, on EngineClient's json/raw plumbing, in contract types. Shared by
// the CLI's network commands and compose (which calls the same endpoints as Compose v2).
import { filtersQuery, type EngineClient } from './client.js';
import type {
  EndpointSettings, NetworkCreateRequest, NetworkCreateResponse, NetworkInspect, NetworkPruneResponse,
} from '../contract/index.js';
import { isApiError } from './errors.js';
import type { Filters } from './types.js';

const path = (ref: string, rest = ''): string => `/networks/${encodeURIComponent(ref)}${rest}`;

export function listNetworks(c: EngineClient, filters: Filters = {}): Promise<NetworkInspect[]> {
  return c.json({ path: '/networks', query: { filters: filtersQuery(filters) } });
}

export function inspectNetwork(c: EngineClient, ref: string, o: { verbose?: boolean } = {}): Promise<{ value: NetworkInspect; raw: string }> {
  return c.jsonRaw({ path: path(ref), query: { verbose: o.verbose ? 'true' : undefined } });
}

/** Inspect, or undefined when the daemon answers 404. */
export async function findNetwork(c: EngineClient, ref: string): Promise<NetworkInspect | undefined> {
  try {
    return (await inspectNetwork(c, ref)).value;
  } catch (e) {
    if (isApiError(e) && e.statusCode === 404) return undefined;
    throw e;
  }
}

export function createNetwork(c: EngineClient, req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
  return c.json({ method: 'POST', path: '/networks/create', body: req });
}

export async function removeNetwork(c: EngineClient, ref: string): Promise<void> {
  (await c.raw({ method: 'DELETE', path: path(ref) })).resume();
}

export function pruneNetworks(c: EngineClient, filters: Filters = {}): Promise<NetworkPruneResponse> {
  return c.json({ method: 'POST', path: '/networks/prune', query: { filters: filtersQuery(filters) } });
}

export async function connectNetwork(c: EngineClient, ref: string, container: string, endpoint: EndpointSettings): Promise<void> {
  (await c.raw({ method: 'POST', path: path(ref, '/connect'), body: { Container: container, EndpointConfig: endpoint } })).resume();
}

export async function disconnectNetwork(c: EngineClient, ref: string, container: string, force: boolean): Promise<void> {
  (await c.raw({ method: 'POST', path: path(ref, '/disconnect'), body: { Container: container, Force: force } })).resume();
}
