// In-process timing of the image store's layer writing, without a daemon, to compare two
// builds' `out/` trees (tsc output) round by round:
//   node bench/layer-write.mjs OUT unpack A.tar [B.tar …]   unpackTar of the tars at once
//   node bench/layer-write.mjs OUT ingest A.tar.gz [B …]    decompressStream + LayerStore.ingest
//                                                          (hash, diffID blob with fsync, unpack)
//   node bench/layer-write.mjs OUT pack DIR                 upperLayerTar of DIR to nowhere
//   node bench/layer-write.mjs OUT pack-unpack DIR          … and unpacked by the hostile-tar unpacker
// Prints the wall time in ms. Everything is written below a fresh /tmp dir, removed after.
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const [outdir, mode, ...args] = process.argv.slice(2);
const load = (m) => import(path.resolve(outdir, m));
const work = await fs.mkdtemp('/tmp/wharf-layer-write-');

try {
  if (mode === 'unpack') {
    const { unpackTar } = await load('src/image/unpack.js');
    const dirs = await Promise.all(args.map((_, i) => fs.mkdir(path.join(work, `x${i}`)).then(() => path.join(work, `x${i}`))));
    const start = performance.now();
    await Promise.all(args.map((t, i) => unpackTar(createReadStream(t), dirs[i])));
    report(start);
  } else if (mode === 'ingest') {
    const { BlobStore } = await load('src/image/blobs.js');
    const { LayerStore } = await load('src/image/layers.js');
    const { decompressStream } = await load('src/image/decompress.js');
    const blobs = new BlobStore(work);
    await blobs.init();
    const layers = new LayerStore(work, blobs);
    await layers.init();
    const start = performance.now();
    await Promise.all(args.map(async (g) => layers.ingest((await decompressStream(createReadStream(g))).stream, { parent: '' })));
    report(start);
  } else if (mode === 'pack' || mode === 'pack-unpack') {
    const { upperLayerTar } = await load('src/archive/overlay-layer.js');
    const { createUnpacker } = await load('src/image/unpack.js');
    const start = performance.now();
    const layer = upperLayerTar(args[0]);
    if (mode === 'pack') {
      await pipeline(layer.stream, new Writable({ write: (_c, _e, cb) => cb() }));
    } else {
      const { writable, done } = createUnpacker(work);
      layer.stream.pipe(writable);
      await done;
    }
    report(start);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  await fs.rm(work, { recursive: true, force: true });
}

function report(start) {
  console.log(Math.round(performance.now() - start));
}
