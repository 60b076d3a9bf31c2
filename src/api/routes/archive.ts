// /containers/{id}/archive (moby api/swagger.yaml: ContainerArchiveInfo, ContainerArchive,
// PutContainerArchive), /containers/{id}/changes and /commit.
import type { ContainerConfig } from '../../contract/index.js';
import type { Engine } from '../../engine/engine.js';
import type { PathStat } from '../../engine/archive.js';
import type { RequestContext } from '../context.js';
import type { Router } from '../router.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

function pathParam(ctx: RequestContext): string {
  return ctx.query.string('path') ?? '';
}

export function archiveRoutes(router: Router, engine: Engine): void {
  router.head('/containers/{id}/archive', async (ctx) => {
    const stat = await engine.archive.stat(ctx.params.id, pathParam(ctx));
    ctx.response.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Length': '0' });
    ctx.response.end();
  });

  router.get('/containers/{id}/archive', async (ctx) => {
    const out = await engine.archive.get(ctx.params.id, pathParam(ctx));
    const res = ctx.response;
    try {
      res.writeHead(200, { [STAT_HEADER]: statHeader(out.stat), 'Content-Type': 'application/x-tar' });
      // A tar that fails midway: cut the response, so the client reports an error.
      out.stream.on('error', () => res.destroy());
      out.stream.pipe(res);
      await new Promise((r) => res.once('close', r));
    } finally {
      await out.done();
    }
  });

  router.put('/containers/{id}/archive', async (ctx) => {
    await engine.archive.put(ctx.params.id, pathParam(ctx), ctx.req, {
      noOverwriteDirNonDir: ctx.query.bool('noOverwriteDirNonDir'),
      copyUIDGID: ctx.query.bool('copyUIDGID'),
    });
    ctx.send(200);
  });

  router.get('/containers/{id}/changes', async (ctx) => {
    ctx.send(200, await engine.changes(ctx.params.id));
  });

  router.post('/commit', async (ctx) => {
    const body = await ctx.json<ContainerConfig | null>(null);
    const id = await engine.commit({
      container: ctx.query.string('container') ?? '',
      repo: ctx.query.string('repo') ?? '',
      tag: ctx.query.string('tag') ?? '',
      comment: ctx.query.string('comment') ?? '',
      author: ctx.query.string('author') ?? '',
      pause: ctx.query.bool('pause', true),
      changes: ctx.query.all('changes'),
      config: body ?? undefined,
    });
    ctx.send(201, { Id: id });
  });
}
