// The build cache: one record per step key, naming the image the step produced. A key is
// the parent image ID plus everything the step's result depends on (its history line,
// the resulting config, COPY/ADD content digests, the ARG values a RUN sees), so a hit is
// safe to reuse. Records live under <data root>/build/cache/<key hex>.json, so the cache
// survives restarts; a record whose image is gone is a miss. Records are renamed into
// place but not fsynced: one lost or torn by a crash reads as a miss and the step is
// simply rebuilt, which is cheaper than two fsyncs on every step of every build.
//
// On-disk layout (version 1):
//   build/cache/<sha256 hex of the key>.json   { "version": 1, "image": "sha256:…" }
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../store/index.js';

const CACHE_FORMAT_VERSION = 1;

export interface StepKey {
  parent: string;
  /** The step's history line, e.g. "/bin/sh -c echo hi". */
  createdBy: string;
  /** The image config after the step (what a container of it would start from). */
  config: unknown;
  /** Anything else the result depends on (content digests, flags). */
  extra?: unknown;
}

export class BuildCache {
  readonly dir: string;
  constructor(root: string /* data root */) {
    this.dir = path.join(root, 'build', 'cache');
  }

  static keyOf(k: StepKey): string {
    return createHash('sha256').update(JSON.stringify([k.parent, k.createdBy, k.config, k.extra ?? null])).digest('hex');
  }

  /** The image a step made before, if `exists` still says it is there. */
  async get(key: string, exists: (imageId: string) => boolean): Promise<string | undefined> {
    let rec: { image?: unknown };
    try {
      rec = JSON.parse(await fs.readFile(path.join(this.dir, `${key}.json`), 'utf8')) as { image?: unknown };
    } catch {
      return undefined; // missing, or torn by a crash: a miss either way
    }
    return typeof rec?.image === 'string' && exists(rec.image) ? rec.image : undefined;
  }

  async put(key: string, imageId: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writeJsonAtomic(path.join(this.dir, `${key}.json`), { version: CACHE_FORMAT_VERSION, image: imageId }, { durable: false });
  }
}
