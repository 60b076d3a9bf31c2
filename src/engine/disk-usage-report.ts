// `GET /system/df`: what images and containers occupy, counted as `du` counts the files
// (src/engine/disk-usage.ts). Layers are shared: an image's Size counts every layer it
// uses, SharedSize the part other images use too, LayersSize each layer once.
import { createHash } from 'node:crypto';
import type { ImageRecord, ImageService } from '../image/types.js';

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

export function imageUsage(images: ImageService, containersUsing: (imageId: string) => number): { layersSize: number; images: ImageUsage[] } {
  const perImage = images.list().map((image) => {
    const ids = chainIds(image.config.rootfs?.diff_ids ?? []);
    let sizes: number[] = [];
    try {
      sizes = images.layerSizes(image.id).perLayer;
    } catch {
      sizes = [];
    }
    return { image, layers: ids.map((id, i) => ({ id, size: sizes[i] ?? 0 })) };
  });
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
      size: image.size,
      sharedSize: layers.filter((l) => (users.get(l.id) ?? 0) > 1).reduce((a, l) => a + l.size, 0),
      containers: containersUsing(image.id),
    })),
  };
}
