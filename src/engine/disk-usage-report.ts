// `GET /system/df`: what images and containers occupy, counted as `du` counts the files
// (src/engine/disk-usage.ts). Layers are shared: an image's Size counts every layer it
// uses, SharedSize the part other images use too, LayersSize each layer once.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ImageRecord, ImageService } from '../image/types.js';
import { dirSize } from './disk-usage.js';

export interface ImageUsage {
  image: ImageRecord;
  size: number;
  sharedSize: number;
  containers: number;
}

/** OCI chain IDs of an image's layers, bottom first (a layer's identity in `layers/`). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : `sha256:${createHash('sha256').update(`${prev} ${diffId}`).digest('hex')}`);
  }
  return out;
}

/** Sizes come from the layer trees on disk (`dirSize`), each layer walked once per call. */
export async function imageUsage(images: ImageService, containersUsing: (imageId: string) => number): Promise<{ layersSize: number; images: ImageUsage[] }> {
  const measured = new Map<string, Promise<number>>();
  const measure = (dir: string) => {
    let p = measured.get(dir);
    if (!p) measured.set(dir, (p = dirSize(dir)));
    return p;
  };
  const perImage = await Promise.all(
    images.list().map(async (image) => {
      const ids = chainIds(image.config.rootfs?.diff_ids ?? []);
      let dirs: string[] = [];
      try {
        dirs = [...images.rootfsLayers(image.id).lowerDirs].reverse(); // bottom first, as ids
      } catch {
        dirs = [];
      }
      // A layer a commit left as its tar only (unpacked on first use) counts its recorded size.
      const recorded = images.layerSizes(image.id).perLayer;
      const sizes = await Promise.all(ids.map((_, i) => (dirs[i] && existsSync(dirs[i]) ? measure(dirs[i] as string) : Promise.resolve(recorded[i] ?? 0))));
      return { image, layers: ids.map((id, i) => ({ id, size: sizes[i] ?? 0 })) };
    }),
  );
  const users = new Map<string, number>();
  const layerSize = new Map<string, number>();
  for (const { layers } of perImage) {
    for (const l of new Map(layers.map((x) => [x.id, x])).values()) {
      users.set(l.id, (users.get(l.id) ?? 0) + 1);
      layerSize.set(l.id, l.size);
    }
  }
  let layersSize = 0;
  for (const s of layerSize.values()) layersSize += s;
  return {
    layersSize,
    images: perImage.map(({ image, layers }) => ({
      image,
      size: layers.reduce((a, l) => a + l.size, 0),
      sharedSize: layers.filter((l) => (users.get(l.id) ?? 0) > 1).reduce((a, l) => a + l.size, 0),
      containers: containersUsing(image.id),
    })),
  };
}
