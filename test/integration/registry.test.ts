// Registries: pull/push round trips against Debian's docker-registry on 127.0.0.1 —
// anonymous, htpasswd basic auth, token auth, TLS with a test CA, a mirror — with the
// docker CLI and wharf's, skopeo interop (digests unchanged), multi-arch index selection,
// digest mismatch and a cut stream (resumed) through a proxy, and a pull killed midway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fs, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { busyboxTar, run, startDaemon, type TestDaemon } from './harness.js';
import { makeCert, startBlobProxy, startRegistry, startTokenServer, type TestCert, type TestRegistry, type TokenServer } from './registry-helpers.js';

type Cli = 'docker' | 'wharf';

function registryGet(host: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: Number(host.split(':')[1]), path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function registryPut(host: string, p: string, body: Buffer, contentType: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(host.split(':')[1]), path: p, method: 'PUT', headers: { 'Content-Type': contentType, 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A tar holding one file of random bytes: a layer no other test has. */
async function randomTar(bytes: number): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-rand-'));
  await fs.writeFile(path.join(dir, 'data'), randomBytes(bytes));
  const tar = `${dir}.tar`;
  await run('tar', ['-cf', tar, '-C', dir, 'data']);
  await fs.rm(dir, { recursive: true, force: true });
  process.once('exit', () => rmSync(tar, { force: true }));
  return tar;
}

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

describe('registries: pull, push, login', () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let mirror: TestRegistry;
  let scratch: string;
  let certsDir: string;
  const closers: Array<() => Promise<void>> = [];

  const ok = async (args: string[], cli: Cli = 'docker', input?: string) => {
    const r = await d[cli](args, input !== undefined ? { input, timeoutMs: 120_000 } : { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const fails = async (args: string[], cli: Cli = 'docker') => {
    const r = await d[cli](args, { timeoutMs: 120_000 });
    assert.notEqual(r.code, 0, `${cli} ${args.join(' ')} should fail: ${r.stdout}`);
    return r.stderr;
  };
  const idOf = async (ref: string) => (await ok(['image', 'inspect', '-f', '{{.Id}}', ref])).trim();
  const skopeo = async (args: string[]) => {
    const r = await run('skopeo', args, { timeoutMs: 120_000 });
    assert.equal(r.code, 0, `skopeo ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const manifestDigest = async (host: string, repo: string, tag: string) =>
    (await registryGet(host, `/v2/${repo}/manifests/${tag}`, { Accept: ACCEPT })).headers['docker-content-digest'] as string;

  before(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-registry-'));
    certsDir = path.join(scratch, 'certs.d');
    await fs.mkdir(certsDir);
    reg = await startRegistry();
    closers.push(reg.close);
    mirror = await startRegistry();
    closers.push(mirror.close);
    d = await startDaemon({ daemonJson: { 'registry-mirrors': [`http://${mirror.host}`] }, env: { WHARF_CERTS_DIRS: certsDir } });
  });
  after(async () => {
    try {
      await d?.close();
    } finally {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await fs.rm(scratch, { recursive: true, force: true });
    }
  });

  for (const cli of ['wharf', 'docker'] as const) {
    test(`${cli} push then pull by tag and by digest (anonymous, plain http on loopback)`, async () => {
      const name = `${reg.host}/rt-${cli}`;
      await ok(['tag', 'busybox', `${name}:1`]);
      const id = await idOf(`${name}:1`);
      const pushed = await ok(['push', `${name}:1`], cli);
      const lines = pushed.trim().split('\n');
      assert.equal(lines[0], `The push refers to repository [${name}]`);
      const digest = await manifestDigest(reg.host, `rt-${cli}`, '1');
      assert.match(digest, /^sha256:[a-f0-9]{64}$/);
      assert.match(lines.at(-1)!, new RegExp(`^1: digest: ${digest} size: \\d+$`));
      await ok(['rmi', `${name}:1`]);
      const pulled = await ok(['pull', `${name}:1`], cli);
      const pl = pulled.trim().split('\n');
      assert.equal(pl[0], `1: Pulling from rt-${cli}`);
      assert.ok(pl.includes(`Digest: ${digest}`), pulled);
      assert.equal(pl.at(-2), `Status: Downloaded newer image for ${name}:1`);
      assert.equal(pl.at(-1), `${name}:1`);
      assert.equal(await idOf(`${name}:1`), id);
      assert.equal((await ok(['image', 'inspect', '-f', '{{json .RepoDigests}}', `${name}:1`])).trim(), JSON.stringify([`${name}@${digest}`]));
      assert.equal((await ok(['run', '--rm', `${name}:1`, 'echo', 'pulled'])).trim(), 'pulled');
      // Again: nothing new.
      const again = (await ok(['pull', `${name}:1`], cli)).trim().split('\n');
      assert.equal(again.at(-2), `Status: Image is up to date for ${name}:1`);
      // By digest.
      await ok(['rmi', `${name}:1`]);
      const byDigest = (await ok(['pull', `${name}@${digest}`], cli)).trim().split('\n');
      assert.equal(byDigest[0], `${digest}: Pulling from rt-${cli}`);
      assert.equal(byDigest.at(-1), `${name}@${digest}`);
      assert.equal(await idOf(`${name}@${digest}`), id);
      await ok(['rmi', `${name}@${digest}`]);
    });
  }

  test('push: existing blobs are skipped, another repository mounts them, the default tag is announced', async () => {
    const a = `${reg.host}/mount-a`;
    const b = `${reg.host}/mount-b`;
    await ok(['tag', 'busybox', a]);
    await ok(['tag', 'busybox', b]);
    const first = await ok(['push', a], 'wharf');
    assert.match(first, /^Using default tag: latest\n/);
    assert.match(first, /: (Pushed|Mounted from [\w-]+)\n/);
    assert.match(await ok(['push', a], 'wharf'), /: Layer already exists\n/);
    assert.match(await ok(['push', b], 'wharf'), /: Mounted from [\w-]+\n/);
    assert.equal(await manifestDigest(reg.host, 'mount-a', 'latest'), await manifestDigest(reg.host, 'mount-b', 'latest'));
    await ok(['rmi', a, b]);
  });

  test('pull of a missing tag and of an unknown registry fail cleanly', async () => {
    const err = await fails(['pull', `${reg.host}/nothing-here:1`], 'wharf');
    assert.match(err, new RegExp(`manifest for ${reg.host}/nothing-here:1 not found: manifest unknown`));
    const derr = await fails(['pull', `${reg.host}/nothing-here:1`]);
    assert.match(derr, /manifest unknown/);
    assert.match(await fails(['pull', '127.0.0.1:1/x:1'], 'wharf'), /127\.0\.0\.1:1/);
  });

  test('skopeo interop: what skopeo pushes wharf pulls, what wharf pushes skopeo copies, digests unchanged', async () => {
    // skopeo → registry (OCI manifest from a docker-archive wharf saved) → wharf pull → wharf push elsewhere.
    await ok(['tag', 'busybox', 'skopeo-src:1']);
    const archive = path.join(scratch, 'skopeo-src.tar');
    await ok(['save', '-o', archive, 'skopeo-src:1']);
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${reg.host}/from-skopeo:1`]);
    // An OCI manifest (skopeo rewrites the config as OCI's, so the image ID differs).
    await skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--format', 'oci', `docker-archive:${archive}`, `docker://${reg.host}/from-skopeo-oci:1`]);
    const ociDigest = await manifestDigest(reg.host, 'from-skopeo-oci', '1');
    assert.match(await ok(['pull', `${reg.host}/from-skopeo-oci:1`], 'wharf'), new RegExp(`Digest: ${ociDigest}`));
    assert.equal((await ok(['run', '--rm', `${reg.host}/from-skopeo-oci:1`, 'echo', 'oci'])).trim(), 'oci');
    await ok(['rmi', `${reg.host}/from-skopeo-oci:1`]);
    const skopeoDigest = await manifestDigest(reg.host, 'from-skopeo', '1');
    const pulled = await ok(['pull', `${reg.host}/from-skopeo:1`], 'wharf');
    assert.match(pulled, new RegExp(`Digest: ${skopeoDigest}`));
    assert.equal(await idOf(`${reg.host}/from-skopeo:1`), await idOf('skopeo-src:1'));
    await ok(['tag', `${reg.host}/from-skopeo:1`, `${reg.host}/from-wharf:1`]);
    const pushed = await ok(['push', `${reg.host}/from-wharf:1`], 'wharf');
    assert.match(pushed, new RegExp(`1: digest: ${skopeoDigest} size: `), 'a pulled image goes back with the same manifest');
    // wharf → registry → skopeo copy to a directory (skopeo verifies every digest).
    const dir = path.join(scratch, 'skopeo-dir');
    await ok(['tag', 'busybox', `${reg.host}/wharf-made:1`]);
    const wharfPush = await ok(['push', `${reg.host}/wharf-made:1`], 'wharf');
    const wharfDigest = /1: digest: (sha256:[a-f0-9]{64})/.exec(wharfPush)![1]!;
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${reg.host}/wharf-made:1`, `dir:${dir}`]);
    const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/wharf-made:1`])) as { Digest: string };
    assert.equal(inspected.Digest, wharfDigest);
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/wharf-made:1`, `docker://${reg.host}/skopeo-copied:1`]);
    assert.equal(await manifestDigest(reg.host, 'skopeo-copied', '1'), wharfDigest);
    await ok(['rmi', 'skopeo-src:1', `${reg.host}/from-skopeo:1`, `${reg.host}/from-wharf:1`, `${reg.host}/wharf-made:1`]);
  });

  test('a pulled layer keeps only its compressed blob: save round-trips through load, push elsewhere keeps the digest, rmi leaves nothing', async () => {
    const tarFile = await randomTar(256 << 10);
    const name = `${reg.host}/pb-src:1`;
    await ok(['import', tarFile, name]);
    const id = await idOf(name);
    const diffIDs = JSON.parse(await ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', name])) as string[];
    await ok(['push', name], 'wharf');
    const digest = await manifestDigest(reg.host, 'pb-src', '1');
    await ok(['rmi', name]);
    await ok(['pull', name], 'wharf');
    assert.equal(await idOf(name), id);
    const blobsDir = path.join(d.dataRoot, 'content', 'blobs', 'sha256');
    const tarsDir = path.join(d.dataRoot, 'content', 'layer-tars');
    const blobs = await fs.readdir(blobsDir);
    const kept: string[] = [];
    for (const diffID of diffIDs) {
      assert.ok(!blobs.includes(diffID.slice(7)), `no uncompressed tar blob for ${diffID}`);
      const rec = JSON.parse(await fs.readFile(path.join(tarsDir, `${diffID.slice(7)}.json`), 'utf8')) as { blob: string; compression: string };
      assert.equal(rec.compression, 'gzip');
      assert.ok(blobs.includes(rec.blob.slice(7)), 'the compressed blob is in the image store');
      kept.push(rec.blob);
    }
    // save: the layer tar is there by diffID, as for any other image; load gives the same ID.
    const saved = path.join(scratch, 'pb-src.tar');
    await ok(['save', '-o', saved, name]);
    const listed = (await run('tar', ['-tf', saved])).stdout.split('\n');
    for (const diffID of diffIDs) assert.ok(listed.includes(`blobs/sha256/${diffID.slice(7)}`), listed.join(' '));
    const sums = (await run('sh', ['-c', `tar -xOf ${saved} blobs/sha256/${diffIDs[0]!.slice(7)} | sha256sum`])).stdout;
    assert.equal(sums.split(' ')[0], diffIDs[0]!.slice(7));
    await ok(['rmi', name]);
    assert.deepEqual((await fs.readdir(tarsDir)).filter((n) => !n.startsWith('.')), [], 'rmi removes the layer-tar record');
    const left = await fs.readdir(blobsDir);
    for (const gone of [id, ...kept]) assert.ok(!left.includes(gone.slice(7)), `rmi removes blob ${gone}`);
    assert.match(await ok(['load', '-i', saved]), new RegExp(`Loaded image: ${name.replace(/[.]/g, '\\.')}`));
    assert.equal(await idOf(name), id);
    await ok(['rmi', name]);
    // Pulled again: a push to another registry uploads the kept blob, same manifest digest.
    await ok(['pull', name], 'wharf');
    const other = `${mirror.host}/pb-copy:1`;
    await ok(['tag', name, other]);
    assert.match(await ok(['push', other], 'wharf'), new RegExp(`1: digest: ${digest} size: `));
    await ok(['rmi', name, other]);
    assert.deepEqual((await fs.readdir(tarsDir)).filter((n) => !n.startsWith('.')), []);
  });

  test('multi-arch index: linux/amd64 by default, --platform picks another, a missing platform is refused', async () => {
    const tar = await busyboxTar();
    const amd = (await ok(['import', '--platform', 'linux/amd64', '--change', 'LABEL arch=amd64', tar, `${reg.host}/multi:amd64`])).trim();
    const arm = (await ok(['import', '--platform', 'linux/arm64', '--change', 'LABEL arch=arm64', tar, `${reg.host}/multi:arm64`])).trim();
    await ok(['push', `${reg.host}/multi:amd64`], 'wharf');
    await ok(['push', `${reg.host}/multi:arm64`], 'wharf');
    const entry = async (tag: string, platform: object) => {
      const r = await registryGet(reg.host, `/v2/multi/manifests/${tag}`, { Accept: ACCEPT });
      return { mediaType: String(r.headers['content-type']), digest: String(r.headers['docker-content-digest']), size: r.body.length, platform };
    };
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [await entry('arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }), await entry('amd64', { os: 'linux', architecture: 'amd64' })] };
    assert.equal(await registryPut(reg.host, '/v2/multi/manifests/latest', Buffer.from(JSON.stringify(index)), index.mediaType), 201);
    await ok(['rmi', `${reg.host}/multi:amd64`, `${reg.host}/multi:arm64`]);
    await ok(['pull', `${reg.host}/multi`], 'wharf');
    assert.equal(await idOf(`${reg.host}/multi`), amd);
    await ok(['rmi', `${reg.host}/multi`]);
    await ok(['pull', '--platform', 'linux/arm64', `${reg.host}/multi`], 'wharf');
    assert.equal(await idOf(`${reg.host}/multi`), arm);
    await ok(['rmi', `${reg.host}/multi`]);
    assert.match(await fails(['pull', '--platform', 'linux/s390x', `${reg.host}/multi`], 'wharf'), /no matching manifest for linux\/s390x in the manifest list entries/);
  });

  test('registry-mirrors: docker.io names are pulled from the mirror', async () => {
    await ok(['tag', 'busybox', `${mirror.host}/library/mirrored:1`]);
    await ok(['push', `${mirror.host}/library/mirrored:1`], 'wharf');
    await ok(['rmi', `${mirror.host}/library/mirrored:1`]);
    const out = await ok(['pull', 'mirrored:1'], 'wharf');
    assert.match(out, /^1: Pulling from library\/mirrored\n/);
    assert.equal(out.trim().split('\n').at(-1), 'docker.io/library/mirrored:1');
    assert.equal(await idOf('mirrored:1'), await idOf('busybox'));
    await ok(['rmi', 'mirrored:1']);
  });

  test('a corrupted blob is refused and leaves no image; a cut stream is resumed with a Range request', async () => {
    const id = (await ok(['import', await randomTar(200_000), `${reg.host}/proxied:1`])).trim();
    await ok(['push', `${reg.host}/proxied:1`], 'wharf');
    await ok(['rmi', `${reg.host}/proxied:1`]);
    const proxy = await startBlobProxy(reg.host, 'corrupt');
    closers.push(proxy.close);
    try {
      const before = await ok(['images', '-qa']);
      const err = await fails(['pull', `${proxy.host}/proxied:1`], 'wharf');
      assert.match(err, /verification failed for digest sha256:/);
      assert.equal(await ok(['images', '-qa']), before);
      proxy.mode = 'cut-once';
      await ok(['pull', `${proxy.host}/proxied:1`], 'wharf');
      assert.ok(proxy.blobGets.some((g) => g.range && /^bytes=\d+-$/.test(g.range)), JSON.stringify(proxy.blobGets));
      assert.equal(await idOf(`${proxy.host}/proxied:1`), id);
    } finally {
      await d.docker(['rmi', `${proxy.host}/proxied:1`]);
    }
  });

  test('kill -9 of wharfd mid-pull leaves no partial image, and the pull then succeeds', async () => {
    // A 4 MB incompressible layer, pulled through a slow proxy.
    const id = (await ok(['import', await randomTar(4_000_000), `${reg.host}/killed:1`])).trim();
    await ok(['push', `${reg.host}/killed:1`], 'wharf');
    await ok(['rmi', `${reg.host}/killed:1`]);
    const proxy = await startBlobProxy(reg.host, 'slow');
    closers.push(proxy.close);
    const before = await ok(['images', '-qa']);
    const pulling = d.wharf(['pull', `${proxy.host}/killed:1`], { timeoutMs: 60_000 });
    for (let i = 0; i < 400 && proxy.blobGets.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 500));
    await d.kill9();
    assert.notEqual((await pulling).code, 0);
    await d.restart();
    assert.equal(await ok(['images', '-qa']), before);
    assert.notEqual((await d.docker(['image', 'inspect', `${proxy.host}/killed:1`])).code, 0);
    proxy.mode = 'pass';
    await ok(['pull', `${proxy.host}/killed:1`], 'wharf');
    assert.equal(await idOf(`${proxy.host}/killed:1`), id);
    await ok(['rmi', `${proxy.host}/killed:1`]);
  });
});
