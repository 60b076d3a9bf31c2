// POST /build: Docker's classic builder API. The body is the context tar; the answer a
// JSON-lines stream: {"stream": "Step 1/3 : …\n"}, {"aux": {"ID": "sha256:…"}}, and on
// failure {"errorDetail": {"code": N, "message": …}, "error": …} (the docker CLI exits
// with a failed RUN's code). Errors before any output are plain HTTP errors.
import type { Builder } from '../../build/index.js';
import { StepFailed } from '../../build/index.js';
import { humanSize } from '../../units/index.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { RequestContext } from '../context.js';
import type { Router } from '../router.js';

function jsonParam<T>(ctx: RequestContext, name: string, fallback: T): T {
  const raw = ctx.query.string(name);
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new InvalidArgument(`invalid ${name} parameter: ${raw}`);
  }
}

/** The daemon's text for a progress message (no terminal width, so no bar): "%8v/%v". */
function progressText(current: number, total?: number): string {
  const cur = humanSize(current).padStart(8);
  return total !== undefined ? `${cur}/${humanSize(total)}` : cur;
}

export function buildRoutes(router: Router, builder: Builder): void {
  router.post('/build', async (ctx) => {
    if (ctx.query.string('remote')) throw new InvalidArgument('remote build contexts are not supported');
    if (ctx.query.string('version') === '2') throw new InvalidArgument('BuildKit is not supported: use the classic builder (DOCKER_BUILDKIT=0)');
    const extraHosts = ctx.query.all('extrahosts').flatMap((h) => h.split(/[\s,]+/)).filter(Boolean);
    let res: ReturnType<RequestContext['startStream']> | undefined;
    const send = (obj: unknown) => {
      res ??= ctx.startStream('application/json');
      res.write(`${JSON.stringify(obj)}\r\n`);
    };
    try {
      const id = await builder.build(
        ctx.req,
        {
          dockerfile: ctx.query.string('dockerfile') || 'Dockerfile',
          tags: ctx.query.all('t'),
          buildArgs: jsonParam<Record<string, string | null>>(ctx, 'buildargs', {}),
          labels: jsonParam<Record<string, string>>(ctx, 'labels', {}),
          target: ctx.query.string('target') || undefined,
          noCache: ctx.query.bool('nocache'),
          quiet: ctx.query.bool('q'),
          rm: ctx.query.bool('rm', true) || ctx.query.bool('forcerm'),
          networkMode: ctx.query.string('networkmode') || undefined,
          extraHosts,
          signal: ctx.abort.signal,
        },
        {
          stream: (text) => send({ stream: text }),
          progress: ({ current, total }) =>
            send({ status: 'Downloading', progressDetail: { current, ...(total !== undefined ? { total } : {}) }, progress: progressText(current, total) }),
        },
      );
      send({ aux: { ID: id } });
    } catch (err) {
      // Drain what is left of the context so the client reads our answer, not a reset.
      if (!ctx.req.readableEnded) ctx.req.resume();
      if (!res && !(err instanceof StepFailed)) throw err;
      const message = err instanceof Error ? err.message : String(err);
      send({ errorDetail: { ...(err instanceof StepFailed && err.code !== undefined ? { code: err.code } : {}), message }, error: message });
    }
    (res ?? ctx.startStream('application/json')).end();
  });
}
