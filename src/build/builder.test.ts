// The builder's durability contract: steps are written without fsync, the final image is
// synced once before the client hears its ID, and what a machine crash can leave behind
// (a cache record whose image is gone, a torn record) reads as a miss, never an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Engine } from '../engine/engine.js';
import { createImageService, type ImageService } from '../image/index.js';
import { Builder, type BuildOptions } from './builder.js';

const DOCKERFILE = 'FROM scratch\nLABEL a=1\nENV B=2\n';

function contextTar(dockerfile: string): Readable {
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile' }, dockerfile);
  pack.finalize();
  return pack as unknown as Readable;
}

function options(o: Partial<BuildOptions> = {}): BuildOptions {
  return { dockerfile: 'Dockerfile', tags: [], buildArgs: {}, noCache: false, labels: {}, quiet: false, rm: true, extraHosts: [], signal: new AbortController().signal, ...o };
}

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-builder-'));
  try {
    await fn(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

async function service(root: string): Promise<ImageService> {
  const images = createImageService({ root });
  await images.init();
  return images;
}

/** A builder over a real image store; `synced` records each syncImage call with the output so far. */
function builder(root: string, images: ImageService, synced: { id: string; outputSoFar: string }[], out: string[]): Builder {
  const engine = { images } as unknown as Engine; // metadata-only steps touch nothing else
  return new Builder(engine, root, {
    syncImage: async (id) => {
      synced.push({ id, outputSoFar: out.join('') });
      await images.syncImage(id);
    },
  });
}

async function build(b: Builder, out: string[], o: Partial<BuildOptions> = {}): Promise<string> {
  return b.build(contextTar(DOCKERFILE), options(o), { stream: (s) => out.push(s) });
}

test('a build syncs its final image once, before it says "Successfully built"', async () => {
  await withRoot(async (root) => {
    const images = await service(root);
    const synced: { id: string; outputSoFar: string }[] = [];
    const out: string[] = [];
    const id = await build(builder(root, images, synced, out), out);
    assert.equal(synced.length, 1);
    assert.equal(synced[0]!.id, id);
    assert.doesNotMatch(synced[0]!.outputSoFar, /Successfully built/);
    assert.match(out.join(''), new RegExp(`Successfully built ${id.slice(7, 19)}\n`));
    // The step images exist and reload from disk (written atomically, if not fsynced).
    const reloaded = await service(root);
    assert.equal(reloaded.resolve(id).id, id);
  });
});

test('a cache record whose image a crash lost is a miss: the step is rebuilt', async () => {
  await withRoot(async (root) => {
    const first = await build(builder(root, await service(root), [], []), []);
    // A machine crash before the final sync can lose the image record (or leave it empty).
    await fs.writeFile(path.join(root, 'image', `${first.slice(7)}.json`), '');
    const images = await service(root);
    assert.throws(() => images.resolve(first), /No such image/);
    const out: string[] = [];
    const synced: { id: string; outputSoFar: string }[] = [];
    const again = await build(builder(root, images, synced, out), out);
    assert.notEqual(again, first, 'rebuilt (a new creation time), not the lost one');
    const text = out.join('');
    assert.equal(text.match(/Using cache/g)?.length, 1, `LABEL from the cache, ENV rebuilt:\n${text}`);
    assert.equal(images.resolve(again).id, again);
  });
});

test('a torn layer record reads as an absent layer; the image over it is dropped at start', async () => {
  await withRoot(async (root) => {
    const images = await service(root);
    const img = await images.commitLayer({
      parent: '',
      diffTar: contextTar('x'),
      config: {},
      history: { created_by: 'test' },
      durable: false,
    });
    const layers = await fs.readdir(path.join(root, 'layers'));
    const hex = layers.find((n) => /^[a-f0-9]{64}$/.test(n))!;
    await fs.writeFile(path.join(root, 'layers', hex, 'layer.json'), '{"version":1,"cha');
    const reloaded = await service(root);
    assert.throws(() => reloaded.resolve(img.id), /No such image/);
  });
});

test('an image whose config blob a crash left empty is dropped at start', async () => {
  await withRoot(async (root) => {
    const id = await build(builder(root, await service(root), [], []), []);
    await fs.writeFile(path.join(root, 'content', 'blobs', 'sha256', id.slice(7)), '');
    const images = await service(root);
    assert.throws(() => images.resolve(id), /No such image/);
  });
});

test('syncImage passes over a layer with no diffID blob (a pulled layer keeps its compressed blob instead)', async () => {
  await withRoot(async (root) => {
    const images = await service(root);
    const img = await images.commitLayer({ parent: '', diffTar: contextTar('x'), config: {}, history: { created_by: 'test' }, durable: false });
    const diffID = images.resolve(img.id).config.rootfs.diff_ids[0]!;
    await fs.rm(path.join(root, 'content', 'blobs', 'sha256', diffID.slice(7)));
    await images.syncImage(img.id);
  });
});
