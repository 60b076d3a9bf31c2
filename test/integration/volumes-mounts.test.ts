// Volumes, bind mounts and tmpfs mounts in containers: persistence across containers and
// daemon restarts (also after kill -9), read-only enforcement, population from image
// content, tmpfs options in /proc/mounts, anonymous volume lifecycle, inspect's Mounts,
// error wording (checked against Docker 20.10), and nothing left mounted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxTar, run, startDaemon, TARGET, type TestDaemon } from './harness.js';

describe('volumes in containers', () => {
  let d: TestDaemon;
  let tmp: string;
  const ok = (args: string[], cli: 'docker' | 'wharf' = 'docker') => d.ok(args, cli);
  const mountsUnder = async (dir: string) =>
    (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m && m.startsWith(dir));

  before(async () => {
    d = await startDaemon();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-vol-'));
    // An image with content at its VOLUME path: /data/file, /data owned 1000:1000 mode 750.
    const root = path.join(tmp, 'rootfs');
    await fs.mkdir(path.join(root, 'data'), { recursive: true });
    await run('tar', ['-C', root, '-xf', await busyboxTar()]);
    await fs.writeFile(path.join(root, 'data', 'file'), 'hello\n');
    await fs.chown(path.join(root, 'data'), 1000, 1000);
    await fs.chmod(path.join(root, 'data'), 0o750);
    const tar = path.join(tmp, 'volimg.tar');
    await run('tar', ['-C', root, '-cf', tar, '.']);
    await ok(['import', '--change', 'VOLUME /data', '--change', 'CMD ["sh"]', tar, 'volimg']);
  });
  after(async () => {
    try {
      await d.close();
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  test('a named volume keeps data across containers; :ro is enforced', async () => {
    await ok(['run', '--rm', '-v', 'data1:/v', 'busybox', 'sh', '-c', 'echo kept > /v/f']);
    assert.equal(await ok(['run', '--rm', '-v', 'data1:/v', 'busybox', 'cat', '/v/f'], 'wharf'), 'kept\n');
    const ro = await d.docker(['run', '--rm', '-v', 'data1:/v:ro', 'busybox', 'touch', '/v/g']);
    assert.equal(ro.code, 1);
    assert.equal(ro.stderr, 'touch: /v/g: Read-only file system\n');
    const ro2 = await d.wharf(['run', '--rm', '--mount', 'type=volume,source=data1,target=/v,readonly', 'busybox', 'touch', '/v/g']);
    assert.equal(ro2.code, 1);
    assert.equal(ro2.stderr, 'touch: /v/g: Read-only file system\n');
  });

  test('bind mounts: -v creates a missing host dir, --mount refuses one; ro, and data is shared', async () => {
    const host = path.join(tmp, 'host');
    const missing = path.join(tmp, 'missing', 'sub');
    await fs.mkdir(host);
    await fs.writeFile(path.join(host, 'in'), 'from host\n');
    const out = await ok(['run', '--rm', '-v', `${host}:/h:ro`, '-v', `${missing}:/m`, 'busybox', 'sh', '-c', 'cat /h/in; echo made > /m/out; touch /h/x 2>&1; true']);
    assert.equal(out, 'from host\ntouch: /h/x: Read-only file system\n');
    assert.equal(await fs.readFile(path.join(missing, 'out'), 'utf8'), 'made\n');
    const r = await d.docker(['run', '--rm', '--mount', `type=bind,source=${tmp}/nope,target=/x`, 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`Error response from daemon: invalid mount config for type "bind": bind source path does not exist: ${tmp}/nope\\n`));
  });

  test('create-time errors carry Docker\'s wording', async () => {
    const cases: [string[], string][] = [
      [['-v', 'bad name:/x'], 'create bad name: "bad name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
      [['-v', 'v1:rel'], "invalid volume specification: 'v1:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"],
      [['-v', `${tmp}:/h:foo`], 'invalid mode: foo'],
      [['--mount', 'type=tmpfs,source=foo,target=/x'], 'invalid mount config for type "tmpfs": field Source must not be specified'],
      [['--mount', 'type=bind,target=/x'], 'invalid mount config for type "bind": field Source must not be empty'],
      [['--mount', 'type=foo,target=/x'], 'invalid mount config for type "foo": mount type unknown'],
    ];
    for (const [args, message] of cases) {
      const r = await d.docker(['run', '--rm', ...args, 'busybox', 'true']);
      assert.equal(r.code, 125, args.join(' '));
      assert.equal(r.stderr.split('\n')[0], `docker: Error response from daemon: ${message}`, args.join(' '));
    }
    assert.equal(await ok(['volume', 'ls', '-q']).then((s) => s.includes('bad')), false);
  });

  test('image VOLUME: an anonymous volume populated from the image, owner and mode kept; nocopy leaves it empty', async () => {
    assert.equal(await ok(['run', '--name', 'pop', 'volimg', 'sh', '-c', 'stat -c "%u:%g %a" /data; cat /data/file']), '1000:1000 750\nhello\n');
    const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'pop'])) as Record<string, unknown>[];
    assert.equal(mounts.length, 1);
    const m = mounts[0]!;
    assert.match(m.Name as string, /^[0-9a-f]{64}$/);
    assert.deepEqual({ ...m, Name: '', Source: '' }, { Type: 'volume', Name: '', Source: '', Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' });
    if (TARGET === 'wharf') assert.equal(m.Source, `${d.dataRoot}/volumes/${m.Name as string}/_data`);
    assert.equal(await ok(['inspect', '-f', '{{json .Config.Volumes}} {{json .HostConfig.Binds}}', 'pop']), '{"/data":{}} null\n');
    assert.equal(await ok(['run', '--rm', '--mount', 'type=volume,target=/data,volume-nocopy', 'volimg', 'ls', '-A', '/data']), '');
    // rm -v removes the anonymous volume; a named one stays.
    await ok(['run', '--name', 'named', '-v', 'keepme:/data', 'volimg', 'true']);
    assert.equal(await ok(['run', '--rm', '-v', 'keepme:/k', 'busybox', 'cat', '/k/file']), 'hello\n');
    await ok(['rm', '-v', 'pop', 'named']);
    const names = (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean);
    assert.ok(!names.includes(m.Name as string), 'anonymous volume removed with rm -v');
    assert.ok(names.includes('keepme'));
    await ok(['volume', 'rm', 'keepme']);
  });

  test('run --rm removes anonymous volumes, not named ones', async () => {
    const before = (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean);
    await ok(['run', '--rm', '-v', '/anon', '-v', 'rmkeep:/k', 'busybox', 'true']);
    const after = (await ok(['volume', 'ls', '-q'])).split('\n').filter(Boolean);
    assert.deepEqual(after.filter((n) => !before.includes(n)), ['rmkeep']);
    await ok(['volume', 'rm', 'rmkeep']);
  });

  test('tmpfs mounts: --mount options in /proc/mounts; a tmpfs volume is mounted only while used', async () => {
    const line = await ok(['run', '--rm', '--mount', 'type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770', 'busybox', 'grep', ' /t ', '/proc/mounts']);
    assert.equal(line, 'tmpfs /t tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770 0 0\n');
    await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=2m,mode=700', 'tv']);
    const id = (await ok(['run', '-d', '-v', 'tv:/tv', 'busybox', 'sh', '-c', 'echo x > /tv/f; sleep 100'])).trim();
    try {
      assert.match(await ok(['exec', id, 'grep', ' /tv ', '/proc/mounts']), /^tmpfs \/tv tmpfs rw,relatime,size=2048k,mode=700 0 0\n$/);
      if (TARGET === 'wharf') assert.deepEqual(await mountsUnder(`${d.dataRoot}/volumes/`), [`${d.dataRoot}/volumes/tv/_data`]);
    } finally {
      await ok(['rm', '-f', id]);
    }
    if (TARGET === 'wharf') assert.deepEqual(await mountsUnder(`${d.dataRoot}/volumes/`), []);
    // A tmpfs volume starts empty each time it is mounted, as in Docker.
    assert.equal(await ok(['run', '--rm', '-v', 'tv:/tv', 'busybox', 'ls', '-A', '/tv']), '');
    await ok(['volume', 'rm', 'tv']);
  });

  test('--volumes-from copies mounts (ro when asked); ps --filter volume; inspect HostConfig', async () => {
    const host = path.join(tmp, 'vf');
    await fs.mkdir(host);
    await ok(['create', '--name', 'donor', '-v', 'vfvol:/v', '-v', `${host}:/h`, '-v', '/anon', 'busybox']);
    const out = await ok(['run', '--rm', '--volumes-from', 'donor:ro', 'busybox', 'sh', '-c', 'touch /v/x 2>&1; grep -c -E " /(v|h|anon) " /proc/mounts']);
    assert.equal(out, 'touch: /v/x: Read-only file system\n3\n');
    assert.equal(await ok(['run', '--rm', '--volumes-from', 'donor', 'busybox', 'sh', '-c', 'echo w > /v/x && cat /v/x']), 'w\n');
    assert.equal(await ok(['ps', '-a', '--filter', 'volume=vfvol', '--format', '{{.Names}}']), 'donor\n');
    assert.equal(await ok(['ps', '-a', '--filter', 'volume=/h', '--format', '{{.Names}}']), 'donor\n');
    // The docker CLI sends `-v` binds in no fixed order.
    assert.deepEqual((JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig.Binds}}', 'donor'])) as string[]).sort(), [`${host}:/h`, 'vfvol:/v']);
    const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', 'donor'])) as Record<string, unknown>[];
    const byDest = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    assert.deepEqual(byDest['/h'], { Type: 'bind', Source: host, Destination: '/h', Mode: '', RW: true, Propagation: 'rprivate' });
    assert.deepEqual({ ...byDest['/v'], Source: '' }, { Type: 'volume', Name: 'vfvol', Source: '', Destination: '/v', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
    const missing = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { VolumesFrom: ['nosuch'] } });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { message: 'No such container: nosuch' });
    await ok(['rm', '-v', 'donor']);
    await ok(['volume', 'rm', 'vfvol']);
  });

  test('data survives a daemon restart and a kill -9; a tmpfs volume of a running container stays mounted', { skip: TARGET === 'docker' ? 'restarts wharfd' : false }, async () => {
    await ok(['run', '--rm', '-v', 'durable:/d', 'busybox', 'sh', '-c', 'echo one > /d/f']);
    await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'tvol']);
    await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'tidle']);
    const id = (await ok(['run', '-d', '-v', 'tvol:/t', 'busybox', 'sleep', '100'])).trim();
    await d.restart();
    assert.equal(await ok(['run', '--rm', '-v', 'durable:/d', 'busybox', 'cat', '/d/f']), 'one\n');
    await d.kill9();
    await d.restart();
    assert.equal(await ok(['run', '--rm', '-v', 'durable:/d', 'busybox', 'cat', '/d/f'], 'wharf'), 'one\n');
    assert.deepEqual(await mountsUnder(`${d.dataRoot}/volumes/`), [`${d.dataRoot}/volumes/tvol/_data`]);
    // The container's exit while wharfd was down still releases the volume after a restart.
    await run('kill', ['-9', String(JSON.parse(await ok(['inspect', '-f', '{{.State.Pid}}', id])))]);
    await d.kill9();
    await d.restart();
    assert.equal(await ok(['inspect', '-f', '{{.State.Status}}', id]), 'exited\n');
    assert.deepEqual(await mountsUnder(`${d.dataRoot}/volumes/`), []);
    await ok(['rm', id]);
    const names = (await ok(['volume', 'ls', '-q'])).split('\n');
    for (const n of ['durable', 'tidle', 'tvol']) assert.ok(names.includes(n), n);
    await ok(['volume', 'rm', 'durable', 'tidle', 'tvol']);
  });
});
