import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execSync } from 'node:child_process';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createImageService, type ImageService } from './index.js';
import { isKind } from '../errdefs/index.js';

let base: string;
let busyboxTar: string;

before(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-image-'));
  const r = path.join(base, 'rootfs');
  execSync(
    `mkdir -p ${r}/bin ${r}/etc && cp /bin/busybox ${r}/bin/ && cd ${r}/bin && for a in $(./busybox --list); do [ "$a" = busybox ] || ln -s busybox $a; done && echo hi > ${r}/etc/motd`,
  );
  busyboxTar = path.join(base, 'busybox.tar');
  execSync(`tar -C ${r} -cf ${busyboxTar} .`);
  for (const [ext, cmd] of [['gz', 'gzip -c'], ['bz2', 'bzip2 -c'], ['xz', 'xz -T1 -c']] as const) {
    execSync(`${cmd} ${busyboxTar} > ${busyboxTar}.${ext}`);
  }
});

after(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

async function withService(fn: (svc: ImageService, root: string, events: string[]) => Promise<void>): Promise<void> {
  const root = await fs.mkdtemp(path.join(base, 'root-'));
  const events: string[] = [];
  const svc = createImageService({ root, onEvent: (action, id) => events.push(`${action} ${id.slice(7, 19)}`) });
  await svc.init();
  try {
    await fn(svc, root, events);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

const noUsers = { force: false, noPrune: false, inUseBy: () => [] };

test('import: plain, gzip, bzip2 and xz rootfs tars give the same layer', async () => {
  await withService(async (svc, root) => {
    const diffs = new Set<string>();
    for (const f of [busyboxTar, `${busyboxTar}.gz`, `${busyboxTar}.bz2`, `${busyboxTar}.xz`]) {
      const rec = await svc.importRootfs(createReadStream(f), { reference: `bb:${path.extname(f).slice(1) || 'tar'}` });
      diffs.add(rec.config.rootfs.diff_ids[0]!);
    }
    assert.equal(diffs.size, 1);
    const rec = svc.resolve('bb:xz');
    assert.equal(rec.config.os, 'linux');
    assert.equal(rec.config.architecture, process.arch === 'x64' ? 'amd64' : process.arch);
    assert.equal(rec.config.history?.[0]?.comment, 'Imported from -');
    const [lower] = svc.rootfsLayers(rec.id).lowerDirs;
    assert.ok(lower!.startsWith(path.join(root, 'layers')));
    assert.equal(await fs.readFile(path.join(lower!, 'etc/motd'), 'utf8'), 'hi\n');
    assert.equal(await fs.readlink(path.join(lower!, 'bin/sh')), 'busybox');
    assert.ok(rec.size >= (await fs.stat('/bin/busybox')).size);
  });
});

test('import: --change lines, message and reference; events', async () => {
  await withService(async (svc, _root, events) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), {
      reference: 'busybox',
      message: 'my msg',
      changes: ['CMD ["sh"]', 'ENV A=1 B=2', 'EXPOSE 80', 'WORKDIR /tmp'],
    });
    assert.deepEqual(rec.repoTags, ['docker.io/library/busybox:latest']);
    assert.deepEqual(rec.config.config, { Cmd: ['sh'], Env: ['A=1', 'B=2'], ExposedPorts: { '80/tcp': {} }, WorkingDir: '/tmp' });
    assert.equal(rec.config.history?.[0]?.comment, 'my msg');
    assert.deepEqual(events, [`import ${rec.id.slice(7, 19)}`, `tag ${rec.id.slice(7, 19)}`]);
    await assert.rejects(
      svc.importRootfs(createReadStream(busyboxTar), { changes: ['FOO bar'] }),
      (e: unknown) => isKind(e, 'invalid-argument') && /foo is not a valid change command/.test(String(e)),
    );
  });
});

test('resolve: full ID, sha256: ID, short prefix, reference; Docker NotFound wording', async () => {
  await withService(async (svc) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'localhost:5000/bb:1' });
    const hex = rec.id.slice(7);
    for (const q of [rec.id, hex, hex.slice(0, 12), hex.slice(0, 1), `sha256:${hex.slice(0, 5)}`, 'localhost:5000/bb:1']) {
      assert.equal(svc.resolve(q).id, rec.id, q);
    }
    assert.throws(() => svc.resolve('nope'), (e: unknown) => isKind(e, 'not-found') && (e as Error).message === 'No such image: nope:latest');
    assert.throws(() => svc.resolve('Bad'), (e: unknown) => isKind(e, 'invalid-argument'));
    assert.equal(svc.list().length, 1);
  });
});

test('remove: untag, delete with last tag, conflicts with Docker wording', async () => {
  await withService(async (svc, root, events) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'a:1' });
    await svc.tag('a:1', 'b:1');
    const short = rec.id.slice(7, 19);
    await assert.rejects(svc.remove(rec.id, noUsers), (e: unknown) => {
      assert.ok(isKind(e, 'conflict'));
      assert.equal((e as Error).message, `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      return true;
    });
    assert.deepEqual(await svc.remove('b:1', noUsers), [{ Untagged: 'b:1' }]);
    const running = { force: true, noPrune: false, inUseBy: () => [{ id: 'c'.repeat(64), running: true }] };
    await assert.rejects(svc.remove(rec.id, running), (e: unknown) => {
      assert.equal((e as Error).message, `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container cccccccccccc`);
      return true;
    });
    const stopped = { force: false, noPrune: false, inUseBy: () => ['d'.repeat(64)] };
    await assert.rejects(svc.remove(rec.id, stopped), (e: unknown) => {
      assert.equal((e as Error).message, `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container dddddddddddd`);
      return true;
    });
    await assert.rejects(svc.remove('a:1', stopped), (e: unknown) => {
      assert.equal((e as Error).message, `conflict: unable to remove repository reference "a:1" (must force) - container dddddddddddd is using its referenced image ${short}`);
      return true;
    });
    events.length = 0;
    const out = await svc.remove('a:1', noUsers);
    assert.deepEqual(out.slice(0, 2), [{ Untagged: 'a:1' }, { Deleted: rec.id }]);
    assert.deepEqual(out[2], { Deleted: rec.config.rootfs.diff_ids[0] }, 'the freed layer (its chain ID)');
    assert.deepEqual(events, [`untag ${short}`, `delete ${short}`]);
    assert.deepEqual(svc.list(), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'layers')), []);
  });
});

test('remove -f by ID with several tags untags all and deletes; shared layers stay', async () => {
  await withService(async (svc) => {
    const a = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'a', changes: ['CMD x'] });
    const b = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'b', changes: ['CMD y'] });
    await svc.tag('a', 'c:2');
    const out = await svc.remove(a.id.slice(7, 15), { ...noUsers, force: true });
    assert.deepEqual(out, [{ Untagged: 'a:latest' }, { Untagged: 'c:2' }, { Deleted: a.id }]);
    assert.deepEqual(await fs.readdir(svc.rootfsLayers(b.id).lowerDirs[0]!).then((l) => l.includes('bin')), true);
  });
});

test('save → remove → load keeps the ID and tags; output lines and events', async () => {
  await withService(async (svc, _root, events) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'busybox' });
    await svc.tag('busybox', 'busybox:2');
    const out = path.join(base, 'save.tar');
    await svc.save(['busybox'], createWriteStream(out));
    const names = execFileSync('tar', ['-tf', out]).toString().trim().split('\n').sort();
    assert.ok(names.includes('manifest.json') && names.includes('index.json') && names.includes('oci-layout') && names.includes('repositories'));
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', out, 'manifest.json']).toString());
    assert.deepEqual(manifest[0].RepoTags.sort(), ['busybox:2', 'busybox:latest']);
    assert.equal(manifest[0].Config, `blobs/sha256/${rec.id.slice(7)}`);
    await svc.remove(rec.id, { ...noUsers, force: true });
    events.length = 0;
    const lines = await svc.load(createReadStream(out));
    assert.deepEqual(lines.sort(), ['Loaded image: busybox:2', 'Loaded image: busybox:latest']);
    assert.equal(svc.resolve('busybox').id, rec.id);
    assert.ok(events.includes(`load ${rec.id.slice(7, 19)}`));
    // Saving by ID: no tags, "Loaded image ID:".
    await svc.save([rec.id], createWriteStream(out));
    await svc.remove(rec.id, { ...noUsers, force: true });
    assert.deepEqual(await svc.load(createReadStream(out)), [`Loaded image ID: ${rec.id}`]);
    // A gzipped archive loads too.
    execSync(`gzip -c ${out} > ${out}.gz`);
    await svc.remove(rec.id, { ...noUsers, force: true });
    assert.deepEqual(await svc.load(createReadStream(`${out}.gz`)), [`Loaded image ID: ${rec.id}`]);
  });
});

test('load: older docker-archive (<id>/layer.tar, gzip layer) and plain OCI layout', async () => {
  await withService(async (svc) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'old:1' });
    const saved = path.join(base, 'for-legacy.tar');
    await svc.save(['old:1'], createWriteStream(saved));
    const dir = await fs.mkdtemp(path.join(base, 'legacy-'));
    execSync(`tar -C ${dir} -xf ${saved}`);
    const diff = rec.config.rootfs.diff_ids[0]!.slice(7);
    // Legacy: <v1id>/layer.tar (gzipped here, as some tools do), <configid>.json, manifest.json.
    const legacy = path.join(dir, 'legacy');
    await fs.mkdir(path.join(legacy, 'v1layer'), { recursive: true });
    execSync(`gzip -c ${dir}/blobs/sha256/${diff} > ${legacy}/v1layer/layer.tar`);
    await fs.copyFile(path.join(dir, 'blobs/sha256', rec.id.slice(7)), path.join(legacy, `${rec.id.slice(7)}.json`));
    await fs.writeFile(path.join(legacy, 'manifest.json'), JSON.stringify([{ Config: `${rec.id.slice(7)}.json`, RepoTags: ['old:1'], Layers: ['v1layer/layer.tar'] }]));
    execSync(`tar -C ${legacy} -cf ${dir}/legacy.tar .`);
    // OCI layout only: drop manifest.json and repositories.
    await fs.rm(path.join(dir, 'manifest.json'));
    await fs.rm(path.join(dir, 'repositories'));
    await fs.rm(legacy, { recursive: true });
    execSync(`tar -C ${dir} -cf ${base}/oci.tar blobs index.json oci-layout`);

    await svc.remove('old:1', noUsers);
    assert.deepEqual(await svc.load(createReadStream(`${dir}/legacy.tar`)), ['Loaded image: old:1']);
    assert.equal(svc.resolve('old:1').id, rec.id);
    await svc.remove('old:1', noUsers);
    assert.deepEqual(await svc.load(createReadStream(`${base}/oci.tar`)), ['Loaded image: old:1']);
    assert.equal(svc.resolve('old:1').id, rec.id);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

test('load: a layer that does not match its diffID is refused and leaves nothing', async () => {
  await withService(async (svc, root) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'x' });
    const dir = await fs.mkdtemp(path.join(base, 'bad-'));
    await fs.copyFile(path.join(root, 'content/blobs/sha256', rec.id.slice(7)), path.join(dir, 'c.json'));
    execSync(`cd ${dir} && mkdir l && echo junk > j && tar -cf l/layer.tar j && rm j`);
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: 'c.json', RepoTags: ['y'], Layers: ['l/layer.tar'] }]));
    execSync(`tar -C ${dir} -cf ${dir}.tar .`);
    await svc.remove('x', noUsers);
    await assert.rejects(svc.load(createReadStream(`${dir}.tar`)), (e: unknown) => isKind(e, 'invalid-argument'));
    assert.deepEqual(svc.list(), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'layers')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), []);
    assert.deepEqual((await fs.readdir(path.join(root, 'content'))).sort(), ['blobs']);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(`${dir}.tar`, { force: true });
  });
});

test('commitLayer: a diff on top of a parent; history; rootfsLayers top first', async () => {
  await withService(async (svc) => {
    const parent = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'base' });
    const diff = path.join(base, 'diff.tar');
    execSync(`d=$(mktemp -d) && mkdir -p $d/etc && echo new > $d/etc/new && mkdir -p $d/bin && touch $d/bin/.wh.vi && tar -C $d -cf ${diff} . && rm -rf $d`);
    const child = await svc.commitLayer({
      parent: 'base',
      diffTar: createReadStream(diff),
      config: { Cmd: ['sh'] },
      history: { created_by: 'test commit', comment: 'c' },
      reference: 'child',
    });
    assert.equal(child.parent, parent.id);
    assert.equal(child.config.rootfs.diff_ids.length, 2);
    const { lowerDirs } = svc.rootfsLayers(child.id);
    assert.equal(lowerDirs.length, 2);
    assert.equal(lowerDirs[1], svc.rootfsLayers(parent.id).lowerDirs[0]);
    assert.equal(await fs.readFile(path.join(lowerDirs[0]!, 'etc/new'), 'utf8'), 'new\n');
    assert.ok((await fs.lstat(path.join(lowerDirs[0]!, 'bin/vi'))).isCharacterDevice());
    const h = svc.history('child');
    assert.equal(h.length, 2);
    assert.equal(h[0]!.Id, child.id);
    assert.equal(h[0]!.CreatedBy, 'test commit');
    assert.deepEqual(h[0]!.Tags, ['child:latest']);
    assert.equal(h[1]!.Id, parent.id);
    assert.equal(h[1]!.Comment, 'Imported from -');
    assert.equal(svc.layerSizes(child.id).perLayer.length, 2);
    // The parent has a dependent child: deleting it by ID is a hard conflict.
    await svc.tag('base', 'base2');
    await svc.remove('base2', noUsers);
    await assert.rejects(svc.remove(parent.id, { ...noUsers, force: true }), /cannot be forced\) - image has dependent child images/);
    // Untagging the parent leaves it (child needs it); removing the child prunes it.
    assert.deepEqual(await svc.remove('base', noUsers), [{ Untagged: 'base:latest' }]);
    const out = await svc.remove('child', noUsers);
    assert.deepEqual(out.filter((o) => o.Deleted?.startsWith('sha256:') && (o.Deleted === child.id || o.Deleted === parent.id)).length, 2);
    assert.deepEqual(svc.list(), []);
  });
});

test('prune: dangling only vs all, filters', async () => {
  await withService(async (svc) => {
    const tagged = await svc.importRootfs(createReadStream(busyboxTar), { reference: 't', changes: ['LABEL keep=yes'] });
    const dangling = await svc.importRootfs(createReadStream(busyboxTar), { changes: ['CMD d'] });
    let r = await svc.prune({ all: false, filters: {}, inUse: new Set() });
    assert.deepEqual(r.deleted.filter((d) => d.Deleted === dangling.id).length, 1);
    assert.equal(svc.list().length, 1);
    r = await svc.prune({ all: true, filters: { 'label!': ['keep=yes'] }, inUse: new Set() });
    assert.equal(svc.list().length, 1);
    r = await svc.prune({ all: true, filters: { until: ['1h'] }, inUse: new Set() });
    assert.equal(svc.list().length, 1, 'created just now: not older than 1h');
    r = await svc.prune({ all: true, filters: {}, inUse: new Set([tagged.id]) });
    assert.equal(svc.list().length, 1, 'in use');
    r = await svc.prune({ all: true, filters: { label: ['keep'] }, inUse: new Set() });
    assert.deepEqual(r.deleted.slice(0, 2), [{ Untagged: 't:latest' }, { Deleted: tagged.id }]);
    assert.ok(r.spaceReclaimed > 0);
    await assert.rejects(svc.prune({ all: true, filters: { bogus: ['1'] }, inUse: new Set() }), /invalid filter 'bogus'/);
  });
});

test('init: sweeps temp files and unreferenced layers/blobs; tags to missing images dropped', async () => {
  await withService(async (svc, root) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 'keep' });
    await fs.writeFile(path.join(root, 'content/blobs/sha256/.wharf-tmp-blob-x'), 'partial');
    await fs.mkdir(path.join(root, 'layers/.wharf-tmp-layer-y/diff'), { recursive: true });
    await fs.mkdir(path.join(root, 'layers', 'e'.repeat(64), 'diff'), { recursive: true });
    await fs.writeFile(path.join(root, 'content/blobs/sha256', 'f'.repeat(64)), 'orphan');
    const repos = JSON.parse(await fs.readFile(path.join(root, 'image/repositories.json'), 'utf8'));
    repos.refs['docker.io/library/ghost:latest'] = `sha256:${'0'.repeat(64)}`;
    await fs.writeFile(path.join(root, 'image/repositories.json'), JSON.stringify(repos));
    const again = createImageService({ root });
    await again.init();
    assert.equal(again.resolve('keep').id, rec.id);
    assert.throws(() => again.resolve('ghost'), /No such image: ghost:latest/);
    assert.deepEqual(await fs.readdir(path.join(root, 'layers')), [rec.config.rootfs.diff_ids[0]!.slice(7)]);
    assert.deepEqual((await fs.readdir(path.join(root, 'content/blobs/sha256'))).sort(), [rec.id.slice(7), rec.config.rootfs.diff_ids[0]!.slice(7)].sort());
  });
});

test('import: a hostile rootfs is refused and leaves nothing behind', async () => {
  await withService(async (svc, root) => {
    const evil = path.join(base, 'evil.tar');
    execSync(`d=$(mktemp -d) && cd $d && echo x > f && tar -cf ${evil} --transform 's,^f,../escape,' f && rm -rf $d`);
    await assert.rejects(svc.importRootfs(createReadStream(evil), {}), (e: unknown) => isKind(e, 'invalid-argument') && /\.\.\/escape/.test(String(e)));
    assert.deepEqual(await fs.readdir(path.join(root, 'layers')), []);
    assert.deepEqual(await fs.readdir(path.join(root, 'content/blobs/sha256')), []);
    await pipeline(Readable.from([]), createWriteStream(path.join(base, 'empty')));
  });
});

test('tags: an image lists its references sorted bytewise, as Docker does', async () => {
  await withService(async (svc) => {
    const rec = await svc.importRootfs(createReadStream(busyboxTar), { reference: 't1:b' });
    for (const t of ['t1:a', 'zz:1', 'aa:1', 'quay.io/x/y:1']) await svc.tag(rec.id, t);
    assert.deepEqual(svc.resolve(rec.id).repoTags, [
      'docker.io/library/aa:1',
      'docker.io/library/t1:a',
      'docker.io/library/t1:b',
      'docker.io/library/zz:1',
      'quay.io/x/y:1',
    ]);
  });
});
