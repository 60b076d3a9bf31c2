// /containers/… endpoints (moby api/swagger.yaml, "Container" tag).
import type { ContainerCreateRequest } from '../../contract/index.js';
import type { Engine } from '../../engine/engine.js';
import { frame } from '../../engine/stdio-frames.js';
import { InvalidArgument, withContext } from '../../errdefs/index.js';
import { acceptUpgrade } from '../server.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';

function timeParam(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.query.string(name);
  if (v === undefined || v === '' || v === '0') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgument(`invalid value for ${name}: ${v}`);
  return n;
}

export function containerRoutes(router: Router, engine: Engine): void {
  const c = engine.containers;

  router.get('/containers/json', async (ctx) => {
    ctx.send(200, await c.list({ all: ctx.query.bool('all'), limit: ctx.query.int('limit'), size: ctx.query.bool('size'), filters: ctx.query.filters() }));
  });

  router.post('/containers/create', async (ctx) => {
    const body = await ctx.json<ContainerCreateRequest>();
    ctx.send(201, await c.create(body, ctx.query.string('name') || undefined));
  });

  router.get('/containers/{id}/json', async (ctx) => {
    const view = await c.inspect(ctx.params.id, { size: ctx.query.bool('size') });
    view.ExecIDs = engine.exec.idsOf(view.Id).length ? engine.exec.idsOf(view.Id) : null;
    ctx.send(200, view);
  });

  router.post('/containers/{id}/start', async (ctx) => {
    await c.lifecycle.start(ctx.params.id);
    ctx.send(204);
  });

  router.post('/containers/{id}/stop', async (ctx) => {
    await c.lifecycle.stop(ctx.params.id, { timeoutS: ctx.query.int('t'), signal: ctx.query.string('signal') });
    ctx.send(204);
  });

  router.post('/containers/{id}/restart', async (ctx) => {
    await c.lifecycle.restart(ctx.params.id, { timeoutS: ctx.query.int('t'), signal: ctx.query.string('signal') });
    ctx.send(204);
  });

  router.post('/containers/{id}/kill', async (ctx) => {
    // moby's router wraps every kill error this way (same status).
    await c.lifecycle.kill(ctx.params.id, ctx.query.string('signal') || 'SIGKILL').catch((err: unknown) => {
      throw withContext(err, `Cannot kill container: ${ctx.params.id}`);
    });
    ctx.send(204);
  });

  router.post('/containers/{id}/pause', async (ctx) => {
    await c.lifecycle.pause(ctx.params.id);
    ctx.send(204);
  });

  router.post('/containers/{id}/unpause', async (ctx) => {
    await c.lifecycle.unpause(ctx.params.id);
    ctx.send(204);
  });

  router.post('/containers/{id}/wait', async (ctx) => {
    const rec = c.get(ctx.params.id);
    const res = ctx.startStream('application/json');
    // Headers go out at once: the docker CLI waits for them before it starts the container.
    try {
      const code = await c.lifecycle.wait(rec.spec.id, ctx.query.string('condition') ?? '', ctx.abort.signal);
      res.end(JSON.stringify({ StatusCode: code, Error: null }));
    } catch (err) {
      res.end(JSON.stringify({ StatusCode: -1, Error: { Message: (err as Error).message } }));
    }
  });

  router.delete('/containers/{id}', async (ctx) => {
    await c.remove(ctx.params.id, { force: ctx.query.bool('force'), volumes: ctx.query.bool('v') });
    ctx.send(204);
  });

  router.post('/containers/{id}/rename', async (ctx) => {
    await c.rename(ctx.params.id, ctx.query.string('name') ?? '');
    ctx.send(204);
  });

  router.post('/containers/prune', async (ctx) => {
    ctx.send(200, await c.prune(ctx.query.filters()));
  });

  router.get('/containers/{id}/top', async (ctx) => {
    ctx.send(200, await c.top(ctx.params.id, ctx.query.string('ps_args') || '-ef'));
  });

  router.get('/containers/{id}/export', async (ctx) => {
    const { stream, done } = await c.export(ctx.params.id);
    const res = ctx.startStream('application/x-tar');
    // A tar that fails midway: cut the response (no chunked terminator), so the client errors.
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    await new Promise((r) => res.once('close', r));
    await done();
  });

  router.post('/containers/{id}/resize', async (ctx) => {
    await c.resize(ctx.params.id, { height: ctx.query.int('h', 0)!, width: ctx.query.int('w', 0)! });
    ctx.send(200);
  });

  router.get('/containers/{id}/logs', async (ctx) => {
    const stdout = ctx.query.bool('stdout');
    const stderr = ctx.query.bool('stderr');
    if (!stdout && !stderr) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
    const tailText = ctx.query.string('tail');
    const tail = !tailText || tailText === 'all' ? 'all' : Number(tailText);
    if (tail !== 'all' && (!Number.isInteger(tail) || tail < 0)) throw new InvalidArgument(`invalid value for "tail": "${tailText}"`);
    const timestamps = ctx.query.bool('timestamps');
    const { tty, records } = c.logs(
      ctx.params.id,
      { follow: ctx.query.bool('follow'), stdout, stderr, since: timeParam(ctx, 'since'), until: timeParam(ctx, 'until'), tail, timestamps },
      ctx.abort.signal,
    );
    const res = ctx.startStream(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    try {
      for await (const r of records) {
        const data = timestamps ? Buffer.concat([Buffer.from(`${r.time} `), r.data]) : r.data;
        if (!res.write(tty ? data : frame(r.stream, data))) await new Promise((ok) => res.once('drain', ok));
      }
    } finally {
      res.end();
    }
  });

  router.post('/containers/{id}/attach', async (ctx) => {
    if (!ctx.hijack) throw new InvalidArgument('attach needs a connection upgrade (Upgrade: tcp)');
    const rec = c.get(ctx.params.id);
    const { socket, head } = ctx.hijack;
    acceptUpgrade(socket, { tty: !!rec.spec.config.Tty });
    if (head.length) socket.unshift(head);
    const stream = ctx.query.bool('stream');
    if (!stream) {
      socket.end(); // logs=1 without stream would replay the log; docker CLI never asks for it
      return;
    }
    await c.attach(rec.spec.id, { socket, stdin: ctx.query.bool('stdin'), stdout: ctx.query.bool('stdout'), stderr: ctx.query.bool('stderr') });
  });
}

