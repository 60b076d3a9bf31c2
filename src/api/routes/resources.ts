// /containers/{id}/update and /containers/{id}/stats (moby api/swagger.yaml ContainerUpdate,
// ContainerStats).
import type { Engine } from '../../engine/engine.js';
import type { UpdateRequest } from '../../engine/update.js';
import type { Router } from '../router.js';

export function resourceRoutes(router: Router, engine: Engine): void {
  router.post('/containers/{id}/update', async (ctx) => {
    ctx.send(200, await engine.update(ctx.params.id, await ctx.json<UpdateRequest>()));
  });

  router.get('/containers/{id}/stats', async (ctx) => {
    const stream = ctx.query.bool('stream', true);
    const oneShot = ctx.query.bool('one-shot');
    if (!stream) {
      ctx.send(200, await engine.stats.once(ctx.params.id, { oneShot }));
      return;
    }
    const frames = engine.stats.stream(ctx.params.id, ctx.abort.signal);
    const first = await frames.next(); // a missing container is a 404 before any header
    const res = ctx.startStream('application/json');
    try {
      for (let f = first; !f.done; f = await frames.next()) {
        if (!res.write(`${JSON.stringify(f.value)}\n`)) await new Promise((ok) => res.once('drain', ok));
      }
    } finally {
      await frames.return(undefined);
      res.end();
    }
  });
}
