// /networks/… endpoints (moby api/swagger.yaml, "Network" tag). The routes only check the
// request's shape; what a network is and may do is the engine's (NetworkOps).
import type { NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest } from '../../contract/index.js';
import type { Engine } from '../../engine/engine.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { RequestContext } from '../context.js';
import { checkFilterKeys } from '../query.js';
import type { Router } from '../router.js';

const LIST_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'] as const;
const PRUNE_FILTERS = ['until', 'label', 'label!'] as const;

/** Field name → the JSON type it must have when present (Go's decoder refuses others). */
type Shape = Record<string, 'string' | 'boolean' | 'object'>;

const CREATE_SHAPE: Shape = {
  Name: 'string', Driver: 'string', Scope: 'string', Internal: 'boolean', Attachable: 'boolean',
  Ingress: 'boolean', ConfigOnly: 'boolean', ConfigFrom: 'object', IPAM: 'object', EnableIPv4: 'boolean',
  EnableIPv6: 'boolean', Options: 'object', Labels: 'object', CheckDuplicate: 'boolean',
};
const CONNECT_SHAPE: Shape = { Container: 'string', EndpointConfig: 'object' };
const DISCONNECT_SHAPE: Shape = { Container: 'string', Force: 'boolean' };

/**
 * The body as an object of the given shape. `null` is allowed for object fields, as Go
 * decodes it to a nil map or pointer; anything else of the wrong type is a 400 naming the
 * field, before the engine sees it.
 */
async function body<T>(ctx: RequestContext, what: string, shape: Shape): Promise<T> {
  const value = await ctx.json<unknown>();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgument(`invalid ${what} request: the body must be a JSON object`);
  }
  for (const [field, type] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined || (v === null && type === 'object')) continue;
    const ok = type === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === type;
    if (!ok) throw new InvalidArgument(`invalid ${what} request: ${field} must be ${type === 'object' ? 'an object' : `a ${type}`}`);
  }
  return value as T;
}

export function networkRoutes(router: Router, engine: Engine): void {
  const networks = engine.networks;

  router.get('/networks', async (ctx) => {
    const filters = ctx.query.filters();
    checkFilterKeys(filters, LIST_FILTERS);
    ctx.send(200, networks.list(filters));
  });

  // Before /networks/{id}: "create" and "prune" are POST-only, so a GET of them is a lookup
  // by name, as in moby.
  router.post('/networks/create', async (ctx) => {
    const req = await body<NetworkCreateRequest>(ctx, 'network create', CREATE_SHAPE);
    ctx.send(201, await networks.create(req));
  });

  router.post('/networks/prune', async (ctx) => {
    const filters = ctx.query.filters();
    checkFilterKeys(filters, PRUNE_FILTERS);
    ctx.send(200, await networks.prune(filters));
  });

  // `verbose` and `scope` only matter for swarm-scoped networks, which wharf has none of.
  router.get('/networks/{id}', async (ctx) => {
    ctx.send(200, networks.inspect(ctx.params.id));
  });

  router.delete('/networks/{id}', async (ctx) => {
    await networks.remove(ctx.params.id);
    ctx.send(204);
  });

  router.post('/networks/{id}/connect', async (ctx) => {
    const req = await body<NetworkConnectRequest>(ctx, 'network connect', CONNECT_SHAPE);
    await networks.connect(ctx.params.id, req);
    ctx.send(200);
  });

  router.post('/networks/{id}/disconnect', async (ctx) => {
    const req = await body<NetworkDisconnectRequest>(ctx, 'network disconnect', DISCONNECT_SHAPE);
    await networks.disconnect(ctx.params.id, req);
    ctx.send(200);
  });
}
