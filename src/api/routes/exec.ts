// /containers/{id}/exec and /exec/… endpoints ("Exec" tag).
import type { Engine } from '../../engine/engine.js';
import type { ExecCreateRequest } from '../../engine/exec.js';
import { acceptUpgrade } from '../server.js';
import type { Router } from '../router.js';

export function execRoutes(router: Router, engine: Engine): void {
  router.post('/containers/{id}/exec', async (ctx) => {
    ctx.send(201, engine.exec.create(ctx.params.id, await ctx.json<ExecCreateRequest>()));
  });

  router.post('/exec/{id}/start', async (ctx) => {
    const body = await ctx.json<{ Detach?: boolean; Tty?: boolean }>({});
    const exec = engine.exec.get(ctx.params.id);
    if (body.Detach || !ctx.hijack) {
      await engine.exec.start(exec.id, { detach: !!body.Detach, tty: body.Tty });
      if (ctx.hijack) ctx.hijack.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      else ctx.send(200);
      return;
    }
    const { socket, head } = ctx.hijack;
    const tty = body.Tty ?? !!exec.config.Tty;
    acceptUpgrade(socket, { tty });
    if (head.length) socket.unshift(head);
    await engine.exec.start(exec.id, {
      detach: false,
      tty,
      client: { socket, stdin: !!exec.config.AttachStdin, stdout: exec.config.AttachStdout !== false, stderr: exec.config.AttachStderr !== false },
    });
  });

  router.post('/exec/{id}/resize', async (ctx) => {
    await engine.exec.resize(ctx.params.id, { height: ctx.query.int('h', 0)!, width: ctx.query.int('w', 0)! });
    ctx.send(200);
  });

  router.get('/exec/{id}/json', async (ctx) => {
    ctx.send(200, engine.exec.inspect(ctx.params.id));
  });
}
