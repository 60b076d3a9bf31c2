// /images/… endpoints ("Image" tag). Import and load answer with Docker's JSON progress
// stream; save and get stream a tar.
import { PassThrough } from 'node:stream';
import type { Engine } from '../../engine/engine.js';
import { matchLabels, type Filters } from '../../engine/filters.js';
import { parseUntil } from '../../engine/filters.js';
import { InvalidArgument, NotFound } from '../../errdefs/index.js';
import type { ImageRecord } from '../../image/types.js';
import { checkFilterKeys } from '../query.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';
import { imageInspect, imageSummary } from '../views/image.js';
import { pullImage } from './registry.js';

/**
 * The images a list request selects, and (with a `reference` filter) which of each one's
 * tags to show: moby lists only the matching ones, so `docker images x/y` is one row.
 */
function imageFilter(engine: Engine, filters: Filters): { match: (img: ImageRecord) => boolean; tagShown: (tag: string) => boolean } {
  checkFilterKeys(filters, ['dangling', 'reference', 'label', 'before', 'since', 'until']);
  const dangling = filters.dangling?.[0];
  if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) throw new InvalidArgument(`invalid filter 'dangling=[${filters.dangling!.join(' ')}]'`); // Go prints the []string
  const refPatterns = (filters.reference ?? []).map(globToRegExp);
  const refMatches = (t: string) => refPatterns.some((re) => re.test(familiar(t)) || re.test(familiar(t).replace(/:[^:/]+$/, '')));
  const before = filters.before?.map((r) => engine.images.resolve(r));
  const since = filters.since?.map((r) => engine.images.resolve(r));
  const until = filters.until?.[0] ? parseUntil(filters.until[0]) : undefined;
  const match = (img: ImageRecord) => {
    if (dangling !== undefined && (img.repoTags.length === 0) !== (dangling === 'true' || dangling === '1')) return false;
    if (refPatterns.length && !img.repoTags.some(refMatches)) return false;
    if (filters.label && !matchLabels(img.config.config?.Labels ?? {}, filters.label)) return false;
    const created = Date.parse(img.config.created ?? '') || 0;
    if (before && !before.every((b) => created < (Date.parse(b.config.created ?? '') || 0))) return false;
    if (since && !since.every((s) => created > (Date.parse(s.config.created ?? '') || 0))) return false;
    if (until !== undefined && created >= until) return false;
    return true;
  };
  return { match, tagShown: (tag) => refPatterns.length === 0 || refMatches(tag) };
}

function familiar(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** Docker matches `reference=` with path.Match globs. */
function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`);
}

/**
 * Docker's progress stream for import and load. Like moby's WriteFlusher, nothing is sent
 * until the first line: an error before that (a bad --change, a hostile or garbage tar)
 * is an ordinary HTTP error ("Error response from daemon: …"); after it, an error line.
 */
export async function streamJsonLines(ctx: RequestContext, work: (emit: (obj: unknown) => void) => Promise<void>): Promise<void> {
  let res: ReturnType<RequestContext['startStream']> | undefined;
  const emit = (obj: unknown) => {
    res ??= ctx.startStream('application/json');
    res.write(`${JSON.stringify(obj)}\r\n`);
  };
  try {
    await work(emit);
  } catch (err) {
    if (!res) throw err;
    const message = err instanceof Error ? err.message : String(err);
    emit({ errorDetail: { message }, error: message });
  }
  (res ?? ctx.startStream('application/json')).end();
}

/**
 * The request body as a stream the image service may destroy on a bad tar without
 * destroying the socket: the rest of the upload is drained, so the client gets to read
 * our error instead of a hang-up.
 */
function uploadedBody(ctx: RequestContext): PassThrough {
  const body = new PassThrough();
  ctx.req.pipe(body);
  body.on('close', () => {
    if (ctx.req.readableEnded) return;
    ctx.req.unpipe(body);
    ctx.req.resume();
  });
  return body;
}

export function imageRoutes(router: Router, engine: Engine): void {
  const images = engine.images;
  const containersUsing = (id: string) => engine.containers.usersOfImage(id).map((c) => c.spec.id);
  const containerUses = (id: string) => engine.containers.usersOfImage(id).map((c) => ({ id: c.spec.id, running: c.state.status === 'running' || c.state.status === 'paused' }));

  router.get('/images/json', async (ctx) => {
    const { match, tagShown } = imageFilter(engine, ctx.query.filters());
    const list = images.list().filter(match).sort((a, b) => (Date.parse(b.config.created ?? '') || 0) - (Date.parse(a.config.created ?? '') || 0));
    const withCounts = ctx.query.bool('shared-size') || ctx.query.bool('container-count');
    ctx.send(200, list.map((img) => imageSummary({ ...img, repoTags: img.repoTags.filter(tagShown) }, withCounts ? containersUsing(img.id).length : -1)));
  });

  router.post('/images/create', async (ctx) => {
    const fromSrc = ctx.query.string('fromSrc');
    const fromImage = ctx.query.string('fromImage');
    if (fromImage) return pullImage(ctx, engine);
    if (fromSrc !== '-') throw new InvalidArgument(fromSrc ? `importing from a URL is not supported: ${fromSrc}` : 'fromSrc or fromImage is required');
    const repo = ctx.query.string('repo');
    const tag = ctx.query.string('tag');
    const reference = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
    const platform = ctx.query.string('platform');
    const [os, architecture] = platform ? platform.split('/') : [];
    // Parse everything that can fail before reading the body: a bad --change leaves nothing behind.
    await streamJsonLines(ctx, async (emit) => {
      const rec = await images.importRootfs(uploadedBody(ctx), {
        changes: ctx.query.all('changes'),
        message: ctx.query.string('message'),
        reference,
        platform: platform ? { os, architecture } : undefined,
      });
      emit({ status: rec.id });
    });
  });

  router.post('/images/load', async (ctx) => {
    const quiet = ctx.query.bool('quiet');
    await streamJsonLines(ctx, async (emit) => {
      const lines = await images.load(uploadedBody(ctx));
      for (const line of lines) emit({ stream: `${line}\n` });
      if (!quiet && lines.length === 0) emit({ stream: 'no images loaded\n' });
    });
  });

  router.get('/images/get', async (ctx) => {
    const names = ctx.query.all('names');
    if (names.length === 0) throw new InvalidArgument('no images specified');
    names.forEach((n) => images.resolve(n)); // 404 before any byte of tar is sent
    const res = ctx.startStream('application/x-tar');
    await images.save(names, res);
    res.end();
  });

  router.post('/images/prune', async (ctx) => {
    const filters = ctx.query.filters();
    const all = (filters.dangling?.[0] ?? 'true') === 'false';
    delete filters.dangling;
    const inUse = new Set(images.list().filter((i) => containersUsing(i.id).length > 0).map((i) => i.id));
    const { deleted, spaceReclaimed } = await images.prune({ all, filters, inUse });
    ctx.send(200, { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: spaceReclaimed });
  });

  router.get('/images/{name*}/json', async (ctx) => {
    const img = images.resolve(ctx.params.name);
    ctx.send(200, imageInspect(img, images.rootfsLayers(img.id).lowerDirs));
  });

  router.get('/images/{name*}/history', async (ctx) => {
    const img = images.resolve(ctx.params.name);
    ctx.send(200, images.history(img.id));
  });

  router.get('/images/{name*}/get', async (ctx) => {
    images.resolve(ctx.params.name);
    const res = ctx.startStream('application/x-tar');
    await images.save([ctx.params.name], res);
    res.end();
  });

  router.post('/images/{name*}/tag', async (ctx) => {
    const repo = ctx.query.string('repo');
    if (!repo) throw new InvalidArgument('repository name must have at least one component');
    const tag = ctx.query.string('tag');
    await images.tag(ctx.params.name, tag ? `${repo}:${tag}` : repo);
    ctx.send(201);
  });

  router.delete('/images/{name*}', async (ctx) => {
    ctx.send(200, await images.remove(ctx.params.name, { force: ctx.query.bool('force'), noPrune: ctx.query.bool('noprune'), inUseBy: containerUses }));
  });
}
