// /volumes (moby api/swagger.yaml "Volume" tag): list, create, inspect, remove, prune.
import type { Engine } from '../../engine/engine.js';
import type { VolumeCreateBody } from '../../engine/volumes.js';
import type { Router } from '../router.js';

/** API 1.42 changed `prune`: only anonymous volumes unless the `all` filter says otherwise. */
function atLeast142(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 42);
}

export function volumeRoutes(router: Router, engine: Engine): void {
  router.get('/volumes', async (ctx) => {
    ctx.send(200, engine.volumes.list(ctx.query.filters()));
  });

  router.post('/volumes/create', async (ctx) => {
    ctx.send(201, await engine.volumes.create(await ctx.json<VolumeCreateBody>({})));
  });

  router.post('/volumes/prune', async (ctx) => {
    ctx.send(200, await engine.volumes.prune(ctx.query.filters(), { apiAtLeast142: atLeast142(ctx.apiVersion) }));
  });

  router.get('/volumes/{name}', async (ctx) => {
    ctx.send(200, engine.volumes.inspect(ctx.params.name));
  });

  router.delete('/volumes/{name}', async (ctx) => {
    await engine.volumes.remove(ctx.params.name, { force: ctx.query.bool('force') });
    ctx.send(204);
  });
}
