// Registry endpoints: pull (POST /images/create?fromImage=), push, and POST /auth.
// Credentials come in the X-Registry-Auth header (base64url JSON), as the docker CLI sends them.
import type { AuthConfig } from '../../contract/index.js';
import type { Engine } from '../../engine/engine.js';
import type { RegistryOps } from '../../engine/registry-ops.js';
import { NotImplemented } from '../../errdefs/index.js';
import type { RequestContext } from '../context.js';
import type { Router } from '../router.js';
import { streamJsonLines } from './images.js';

/** Docker ignores a header it cannot decode (the registry then sees no credentials). */
export function decodeAuthHeader(value: string | string[] | undefined): AuthConfig {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return {};
  try {
    const json = JSON.parse(Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
    return json && typeof json === 'object' ? (json as AuthConfig) : {};
  } catch {
    return {};
  }
}

function registryOf(engine: Engine): RegistryOps {
  if (!engine.registry) throw new NotImplemented('this daemon has no registry client');
  return engine.registry;
}

/** POST /images/create?fromImage=NAME&tag=TAG|DIGEST: without a tag anywhere, every tag. */
export async function pullImage(ctx: RequestContext, engine: Engine): Promise<void> {
  const registry = registryOf(engine);
  const image = ctx.query.string('fromImage')!;
  const tag = ctx.query.string('tag');
  const reference = tag ? `${image}${tag.startsWith('sha256:') ? '@' : ':'}${tag}` : image;
  const named = !tag && !/[:@][^/]*$/.test(image);
  await streamJsonLines(ctx, (emit) =>
    registry.pull({
      reference,
      allTags: named,
      platform: ctx.query.string('platform') || undefined,
      auth: decodeAuthHeader(ctx.req.headers['x-registry-auth']),
      progress: emit,
      signal: ctx.abort.signal,
    }),
  );
}

export function registryRoutes(router: Router, engine: Engine): void {
  router.post('/images/{name*}/push', async (ctx) => {
    const registry = registryOf(engine);
    const tag = ctx.query.string('tag');
    await streamJsonLines(ctx, (emit) =>
      registry.push({
        reference: tag ? `${ctx.params.name}:${tag}` : ctx.params.name,
        auth: decodeAuthHeader(ctx.req.headers['x-registry-auth']),
        progress: emit,
        signal: ctx.abort.signal,
      }),
    );
  });

  router.post('/auth', async (ctx: RequestContext) => {
    const auth = await ctx.json<AuthConfig>({});
    ctx.send(200, await registryOf(engine).login(auth, ctx.abort.signal));
  });
}
