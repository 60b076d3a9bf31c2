// GET /system/df ("System" tag): Docker's SystemDataUsageResponse. The build cache is
// empty until builds land; `type` selects parts as API 1.42 does.
import type { Engine } from '../../engine/engine.js';
import { imageUsage } from '../../engine/disk-usage-report.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { Router } from '../router.js';
import { imageSummary } from '../views/image.js';

const TYPES = ['container', 'image', 'volume', 'build-cache'];

export function systemDfRoutes(router: Router, engine: Engine): void {
  router.get('/system/df', async (ctx) => {
    const raw = ctx.query.string('type');
    const types = raw ? raw.split(',') : [];
    for (const t of types) if (!TYPES.includes(t)) throw new InvalidArgument(`unknown object type: ${t}`);
    const want = (t: string) => types.length === 0 || types.includes(t);
    const body: Record<string, unknown> = {};
    if (want('image')) {
      const usage = await imageUsage(engine.images, (id) => engine.containers.usersOfImage(id).length);
      body.LayersSize = usage.layersSize;
      body.Images = usage.images.map((u) => ({ ...imageSummary(u.image, u.containers), Size: u.size, SharedSize: u.sharedSize }));
    }
    if (want('container')) body.Containers = await engine.containers.list({ all: true, size: true, filters: {} });
    if (want('volume')) body.Volumes = await engine.volumes.usage();
    if (want('build-cache')) body.BuildCache = [];
    ctx.send(200, body);
  });
}
