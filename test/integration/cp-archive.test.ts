// docker cp / the archive endpoints, diff and commit, through both CLIs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tarStream from 'tar-stream';
import { run, startDaemon, type TestDaemon } from './harness.js';

/** name → "type mode uid:gid mtime size sha" for every entry below `dir` (GNU find + sha256sum). */
async function manifest(dir: string, opts: { owners: boolean }): Promise<string> {
  const fmt = opts.owners ? '%P %y %m %U:%G %T@ %s %l\\n' : '%P %y %m %T@ %s %l\\n';
  const r = await run('find', [dir, '-mindepth', '1', '-printf', fmt]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/ (\d+)\.\d+ /, ' $1 ')).sort();
  const sums = await run('sh', ['-c', `cd ${dir} && find . -type f -exec sha256sum {} + | sort`]);
  return `${lines.join('\n')}\n${sums.stdout}`;
}

async function makeTree(root: string): Promise<void> {
  await fs.mkdir(path.join(root, 'tree/sub/deep'), { recursive: true });
  await fs.writeFile(path.join(root, 'tree/a.txt'), 'alpha\n');
  await fs.writeFile(path.join(root, 'tree/sub/b.bin'), Buffer.alloc(300_000, 7));
  await fs.writeFile(path.join(root, 'tree/sub/deep/c'), '');
  await fs.symlink('../a.txt', path.join(root, 'tree/sub/link'));
  await fs.chmod(path.join(root, 'tree/a.txt'), 0o640);
  await fs.chmod(path.join(root, 'tree/sub/deep'), 0o710);
  await fs.chown(path.join(root, 'tree/a.txt'), 1234, 567);
  await fs.lchown(path.join(root, 'tree/sub/link'), 42, 43);
  const t = new Date('2001-02-03T04:05:06Z');
  for (const p of ['tree/a.txt', 'tree/sub/b.bin', 'tree/sub/deep/c', 'tree/sub/deep', 'tree/sub', 'tree']) await fs.utimes(path.join(root, p), t, t);
}

/** The last layer of the one image in a `docker save` tar: its bytes and the entries that carry pax records. */
async function topLayerOf(saved: Buffer): Promise<{ raw: Buffer; paxed: Array<[string, Record<string, string>]> }> {
  const files = await tarEntries(saved);
  const manifest = JSON.parse(files.get('manifest.json')!.body.toString()) as Array<{ Layers: string[] }>;
  const raw = files.get(manifest[0]!.Layers.at(-1)!)!.body;
  const paxed: Array<[string, Record<string, string>]> = [];
  for (const [name, e] of await tarEntries(raw)) if (e.pax) paxed.push([name, e.pax]);
  return { raw, paxed };
}

async function tarEntries(buf: Buffer): Promise<Map<string, { body: Buffer; pax?: Record<string, string> }>> {
  const out = new Map<string, { body: Buffer; pax?: Record<string, string> }>();
  const ex = tarStream.extract();
  const done = (async () => {
    for await (const e of ex) {
      const parts: Buffer[] = [];
      for await (const c of e) parts.push(c as Buffer);
      out.set(e.header.name, { body: Buffer.concat(parts), ...(e.header.pax ? { pax: e.header.pax as Record<string, string> } : {}) });
    }
  })();
  ex.end(buf);
  await done;
  return out;
}

describe('cp, diff, commit', () => {
  let d: TestDaemon;
  let tmp: string;
  before(async () => {
    d = await startDaemon();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-cp-'));
    await makeTree(tmp);
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
    await d.close();
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli} cp round trip of a tree into a running container and back keeps bytes, modes and mtimes; owners inside`, async () => {
      const id = (await d.ok(['run', '-d', 'busybox', 'sleep', '300'])).trim();
      await d.ok(['cp', path.join(tmp, 'tree'), `${id}:/copied`], cli);
      const owners = await d.ok(['exec', id, 'sh', '-c', 'ls -ln /copied/a.txt /copied/sub/link | awk \'{print $1, $3, $4}\'']);
      assert.equal(owners, '-rw-r-----  1234 567\nlrwxrwxrwx 42 43\n'.replace('  ', ' '));
      const out = path.join(tmp, `out-${cli}`);
      await d.ok(['cp', `${id}:/copied`, out], cli);
      assert.equal(await manifest(out, { owners: false }), await manifest(path.join(tmp, 'tree'), { owners: false }));
      await d.ok(['rm', '-f', id]);
    });

    test(`${cli} cp into and out of a stopped container; contents with SRC/. ; stdin and stdout tars`, async () => {
      const id = (await d.ok(['create', 'busybox', 'true'])).trim();
      await d.ok(['cp', `${path.join(tmp, 'tree')}/.`, `${id}:/contents`], cli);
      const list = await d.ok(['cp', `${id}:/contents/.`, '-'], cli);
      assert.match(list, /sub\/deep\/c/);
      const r = await run('sh', ['-c', `${cli === 'docker' ? 'docker' : `${process.execPath} ${path.resolve('dist/wharf.js')}`} cp ${id}:/contents/a.txt - | tar tvf -`], { env: d.env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^-rw-r----- 1234\/567 +6 2001-02-03 04:05 a.txt$/m);
      const tarIn = await run('sh', ['-c', `tar c -C ${tmp}/tree a.txt | ${cli === 'docker' ? 'docker' : `${process.execPath} ${path.resolve('dist/wharf.js')}`} cp - ${id}:/`], { env: d.env });
      assert.equal(tarIn.code, 0, tarIn.stderr);
      const back = path.join(tmp, `stopped-${cli}`);
      await d.ok(['cp', `${id}:/a.txt`, back], cli);
      assert.equal(await fs.readFile(back, 'utf8'), 'alpha\n');
      await d.ok(['rm', id]);
    });

    test(`${cli} cp errors use Docker's wording`, async () => {
      const id = (await d.ok(['create', '--name', `errs-${cli}`, 'busybox', 'true'])).trim();
      const cases: Array<[string[], string]> = [
        [['cp', `errs-${cli}:/nope`, tmp], `Error response from daemon: Could not find the file /nope in container errs-${cli}\n`],
        [['cp', `errs-${cli}:/etc/passwd/`, tmp], 'Error response from daemon: lstat /etc/passwd/: not a directory\n'],
        [['cp', path.join(tmp, 'tree/a.txt'), `errs-${cli}:/nodir/`], 'no such directory\n'],
        [['cp', path.join(tmp, 'tree'), `errs-${cli}:/etc/passwd`], 'cannot copy directory\n'],
        [['cp', path.join(tmp, 'missing'), `errs-${cli}:/`], `lstat ${path.join(tmp, 'missing')}: no such file or directory\n`],
        [['cp', `errs-${cli}:/a`, `errs-${cli}:/b`], 'copying between containers is not supported\n'],
        [['cp', 'a', 'b'], 'must specify at least one container source\n'],
      ];
      for (const [args, stderr] of cases) {
        const r = await d[cli](args);
        assert.equal(r.code, 1, args.join(' '));
        assert.equal(r.stderr.replace(/^time=.*\n/gm, ''), stderr, args.join(' '));
      }
      await d.ok(['rm', id]);
    });
  }

  test('hostile symlinks inside the container never lead to the host', async () => {
    const marker = `wharf-cp-escape-${process.pid}`;
    const id = (await d.ok(['run', '-d', 'busybox', 'sh', '-c', `ln -s / /hostroot; ln -s /../../../tmp /up; mkdir /box; ln -s /tmp/${marker}-dir /box/dangling; sleep 300`])).trim();
    await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/hostroot/tmp/${marker}`]);
    await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/up/${marker}-2`]);
    assert.equal(existsSync(`/tmp/${marker}`), false);
    assert.equal(existsSync(`/tmp/${marker}-2`), false);
    assert.equal(await d.ok(['exec', id, 'cat', `/tmp/${marker}`, `/tmp/${marker}-2`]), 'alpha\nalpha\n');
    // Reading through a link to "/" reads the container's file, not the host's.
    await fs.writeFile(`/tmp/${marker}-host`, 'HOST');
    try {
      const r = await d.api('GET', `/containers/${id}/archive?path=/hostroot/tmp/${marker}-host`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.json, { message: `Could not find the file /hostroot/tmp/${marker}-host in container ${id}` });
    } finally {
      await fs.rm(`/tmp/${marker}-host`, { force: true });
    }
    // A tar entry with ".." is refused; one written under a dangling link lands inside.
    const evil = await run('python3', ['-c', `import tarfile,io,sys
b=io.BytesIO(); t=tarfile.open(fileobj=b,mode='w')
for n in ['../../${marker}-3']:
  ti=tarfile.TarInfo(n); ti.size=1; t.addfile(ti,io.BytesIO(b'x'))
t.close(); sys.stdout.buffer.write(b.getvalue())`]);
    const put = await run('curl', ['-s', '-X', 'PUT', '--data-binary', '@-', '--unix-socket', d.socket, `http://x/containers/${id}/archive?path=/tmp`], { input: Buffer.from(evil.stdout, 'latin1') });
    assert.equal(put.stdout, `{"message":"Error processing tar file: \\"../../${marker}-3\\" is outside of \\"/tmp\\""}`);
    await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/box/dangling`]);
    assert.equal(existsSync(`/tmp/${marker}-dir`), false);
    assert.equal(await d.ok(['exec', id, 'cat', `/tmp/${marker}-dir`]), 'alpha\n');
    await d.ok(['rm', '-f', id]);
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli} diff lists A/C/D parents first; commit makes an image that runs with --change, -m, -a`, async () => {
      const name = `dc-${cli}`;
      await d.ok(['run', '--name', name, 'busybox', 'sh', '-c', 'rm /bin/ls; mkdir -p /a/b; echo 1 > /a/b/c; echo x >> /etc/passwd; rm -rf /usr; echo q > /root/q']);
      assert.equal(await d.ok(['diff', name], cli), 'A /a\nA /a/b\nA /a/b/c\nC /bin\nD /bin/ls\nC /etc\nC /etc/passwd\nC /root\nA /root/q\nD /usr\n');
      const idOut = await d.ok(['commit', '-m', 'msg', '-a', 'me', '-c', 'ENV FOO=bar', '-c', 'CMD ["sh","-c","echo $FOO; cat /a/b/c; ls /usr 2>&1 || true"]', name, `committed-${cli}:v1`], cli);
      assert.match(idOut, /^sha256:[0-9a-f]{64}\n$/);
      assert.equal(await d.ok(['run', '--rm', `committed-${cli}:v1`]), 'bar\n1\nls: /usr: No such file or directory\n');
      const fmt = await d.ok(['image', 'inspect', '-f', '{{.Comment}}|{{.Author}}|{{len .RootFS.Layers}}', `committed-${cli}:v1`]);
      assert.equal(fmt, 'msg|me|2\n');
      await d.ok(['rm', name]);
      await d.ok(['rmi', `committed-${cli}:v1`]);
    });
  }

  test('commit keeps an opaque directory opaque: a directory removed and made again hides the image\'s content', async () => {
    await d.ok(['run', '--name', 'opq', 'busybox', 'sh', '-c', 'ls /usr | grep -q . && rm -rf /usr && mkdir -p /usr/x /new/y && echo q > /usr/x/f']);
    try {
      const img = (await d.ok(['commit', 'opq'])).trim();
      assert.equal(await d.ok(['run', '--rm', img, 'sh', '-c', 'ls -A /usr; cat /usr/x/f; ls -A /new']), 'x\nq\ny\n');
      await d.ok(['rmi', img]);
    } finally {
      await d.ok(['rm', '-f', 'opq']);
    }
  });

  test('commit keeps a file capability as the PAX record SCHILY.xattr.security.capability; the new image runs with it', async () => {
    // setcap from the host through /proc/<pid>/root: the write goes through the container's
    // own mount, as a setcap inside would (busybox has none).
    const ctr = (await d.ok(['run', '-d', 'busybox', 'sh', '-c', 'mkdir /capd; cp /bin/busybox /capd/busybox; touch /ready; sleep 300'])).trim();
    let img = '';
    let runner = '';
    try {
      for (let i = 0; i < 100 && (await d.docker(['exec', ctr, 'test', '-e', '/ready'])).code !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      const pid = (await d.ok(['inspect', '-f', '{{.State.Pid}}', ctr])).trim();
      const sc = await run('setcap', ['cap_net_raw+ep', `/proc/${pid}/root/capd/busybox`]);
      assert.equal(sc.code, 0, sc.stderr);
      img = (await d.ok(['commit', ctr])).trim();
      const saved = path.join(tmp, 'cap-image.tar');
      await d.ok(['save', '-o', saved, img]);
      const layer = await topLayerOf(await fs.readFile(saved));
      // setcap cap_net_raw+ep: VFS_CAP_REVISION_2 | effective, permitted bit 13 (CAP_NET_RAW).
      const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
      assert.ok(layer.raw.includes(Buffer.concat([Buffer.from('57 SCHILY.xattr.security.capability='), cap, Buffer.from('\n')])));
      assert.deepEqual(layer.paxed, [['capd/busybox', { 'SCHILY.xattr.security.capability': cap.toString('latin1') }]]);
      assert.equal(await d.ok(['run', '--rm', '--user', '1000', img, '/capd/busybox', 'grep', 'CapEff', '/proc/self/status']), 'CapEff:\t0000000000002000\n');
      runner = (await d.ok(['run', '-d', img, 'sleep', '300'])).trim();
      const rpid = (await d.ok(['inspect', '-f', '{{.State.Pid}}', runner])).trim();
      const gc = await run('getcap', [`/proc/${rpid}/root/capd/busybox`]);
      assert.equal(gc.stdout, `/proc/${rpid}/root/capd/busybox cap_net_raw=ep\n`);
    } finally {
      if (runner) await d.docker(['rm', '-f', runner]);
      await d.docker(['rm', '-f', ctr]);
      if (img) await d.docker(['rmi', img]);
    }
  });

  test('commit of a running container pauses it and resumes it; bad references and containers fail as in Docker', async () => {
    const id = (await d.ok(['run', '-d', 'busybox', 'sh', '-c', 'echo live > /live; sleep 300'])).trim();
    await new Promise((r) => setTimeout(r, 300));
    const img = (await d.ok(['commit', id])).trim();
    assert.equal(await d.ok(['inspect', '-f', '{{.State.Status}}', id]), 'running\n');
    assert.equal(await d.ok(['run', '--rm', img, 'cat', '/live']), 'live\n');
    const bad = await d.api('POST', `/commit?container=${id}&repo=UPPER`);
    assert.equal(bad.status, 400);
    const missing = await d.docker(['commit', 'no-such-ctr']);
    assert.equal(missing.stderr, 'Error response from daemon: No such container: no-such-ctr\n');
    await d.ok(['rm', '-f', id]);
    await d.ok(['rmi', img]);
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli} cp into and out of a running container's volume and bind mount; HEAD stats inside them; a read-only one refuses`, async () => {
      const vol = `cprun-${cli}-${path.basename(tmp)}`.replace(/[^a-zA-Z0-9_.-]/g, '');
      const bindDir = path.join(tmp, `bind-run-${cli}`);
      await fs.mkdir(bindDir);
      const id = (await d.ok(['run', '-d', '-v', `${vol}:/data`, '-v', `${bindDir}:/b`, '-v', `${vol}:/ro:ro`, 'busybox', 'sh', '-c', 'echo inside > /data/made; echo bound > /b/made; sleep 300'])).trim();
      try {
        for (let i = 0; i < 50 && !existsSync(path.join(bindDir, 'made')); i++) await new Promise((r) => setTimeout(r, 100));
        // In: a file and a directory, into the volume and the bind mount.
        await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/data/a.txt`], cli);
        await d.ok(['cp', path.join(tmp, 'tree'), `${id}:/b/tree`], cli);
        assert.equal(await d.ok(['exec', id, 'cat', '/data/a.txt', '/ro/a.txt']), 'alpha\nalpha\n');
        assert.equal(await d.ok(['exec', id, 'cat', '/b/tree/sub/deep/c', '/b/tree/a.txt']), 'alpha\n');
        assert.equal(await fs.readFile(path.join(bindDir, 'tree/a.txt'), 'utf8'), 'alpha\n');
        // Out: what the container wrote there, a file to stdout and a directory.
        const one = await run('sh', ['-c', `${cli === 'docker' ? 'docker' : 'wharf'} cp ${id}:/data/made - | tar -xO`], { env: { ...d.scriptEnv, DOCKER_HOST: `unix://${d.socket}` } });
        assert.equal(one.stdout, 'inside\n', one.stderr);
        const out = path.join(tmp, `from-run-${cli}`);
        await d.ok(['cp', `${id}:/b`, out], cli);
        assert.equal(await fs.readFile(path.join(out, 'made'), 'utf8'), 'bound\n');
        assert.equal(await fs.readFile(path.join(out, 'tree/sub/b.bin')).then((b) => b.length), 300_000);
        // HEAD: the stat header describes the file inside the volume.
        const head = await run('curl', ['-sS', '-I', '--unix-socket', d.socket, `http://x/containers/${id}/archive?path=/data/made`]);
        const line = head.stdout.split('\r\n').find((l) => l.toLowerCase().startsWith('x-docker-container-path-stat:'));
        assert.ok(line, head.stdout);
        const stat = JSON.parse(Buffer.from(line.slice(line.indexOf(':') + 1).trim(), 'base64').toString()) as Record<string, unknown>;
        assert.deepEqual([stat.name, stat.size, stat.mode, stat.linkTarget], ['made', 7, 0o644, '']);
        const ro = await d[cli](['cp', path.join(tmp, 'tree/a.txt'), `${id}:/ro/x.txt`]);
        assert.equal(ro.code, 1);
        assert.equal(ro.stderr, 'Error response from daemon: mounted volume is marked read-only\n');
        assert.equal(await d.ok(['exec', id, 'ls', '/data']), 'a.txt\nmade\n');
      } finally {
        await d.ok(['rm', '-f', id]);
        await d.ok(['volume', 'rm', vol]);
      }
    });
  }

  test('cp reaches a container\'s volumes and bind mounts; a read-only one refuses', async () => {
    const vol = `cpvol-${path.basename(tmp)}`.replace(/[^a-zA-Z0-9_.-]/g, '');
    const bindDir = path.join(tmp, 'bind');
    await fs.mkdir(bindDir);
    const id = (await d.ok(['create', '-v', `${vol}:/data`, '-v', `${bindDir}:/b`, '-v', `${bindDir}:/ro:ro`, 'busybox', 'true'])).trim();
    try {
      await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/data/a.txt`]);
      await d.ok(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/b/a.txt`]);
      assert.equal(await d.ok(['run', '--rm', '-v', `${vol}:/data`, 'busybox', 'cat', '/data/a.txt']), await fs.readFile(path.join(tmp, 'tree/a.txt'), 'utf8'));
      assert.equal(await fs.readFile(path.join(bindDir, 'a.txt'), 'utf8'), await fs.readFile(path.join(tmp, 'tree/a.txt'), 'utf8'));
      const out = path.join(tmp, 'from-volume.txt');
      await d.ok(['cp', `${id}:/data/a.txt`, out]);
      assert.equal(await fs.readFile(out, 'utf8'), await fs.readFile(path.join(tmp, 'tree/a.txt'), 'utf8'));
      const ro = await d.docker(['cp', path.join(tmp, 'tree/a.txt'), `${id}:/ro/x.txt`]);
      assert.equal(ro.code, 1, 'a read-only mount refuses the copy');
      assert.equal(ro.stderr, 'Error response from daemon: mounted volume is marked read-only\n'); // as Docker 20.10
    } finally {
      await d.ok(['rm', '-f', id]);
      await d.ok(['volume', 'rm', vol]);
    }
  });

  // Docker's archive writer drops atime/ctime and truncates mtime to seconds, so a plain entry
  // has no pax header; GNU tar's posix format would give every entry one.
  test('GET archive: whole-second mtimes and no pax header for plain entries, as Docker', async () => {
    const id = (await d.ok(['create', 'busybox', 'true'])).trim();
    try {
      const raw = await run('sh', ['-c', `curl -sS --unix-socket ${d.socket} 'http://x/containers/${id}/archive?path=/etc' | tee /dev/stderr | tar -tv --full-time -f - | head -3`]);
      assert.equal(raw.stderr.includes('PaxHeaders'), false);
      const lines = raw.stdout.trim().split('\n');
      assert.equal(lines.length, 3);
      for (const l of lines) assert.match(l, / \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} etc\//, l);
    } finally {
      await d.ok(['rm', id]);
    }
  });

  // Docker 20.10 (checked against the reference daemon) mounts volumes and binds into the
  // rootfs before it tars: a tar of "/" or of a directory holding a mount point carries the
  // mounts' contents, for a running, a stopped and a never-started container.
  test('GET archive of a directory holding volume and bind mount points includes their contents', async () => {
    const vol = `cpview-${path.basename(tmp)}`.replace(/[^a-zA-Z0-9_.-]/g, '');
    const bindDir = path.join(tmp, 'view-bind');
    await fs.mkdir(path.join(bindDir, 'sub'), { recursive: true });
    await fs.writeFile(path.join(bindDir, 'sub/bf'), 'b\n');
    const names = async (id: string, p: string): Promise<string> => {
      const r = await run('sh', ['-c', `curl -sS --unix-socket ${d.socket} 'http://x/containers/${id}/archive?path=${p}' | tar -t 2>/dev/null | grep -E '^/?(data|mnt)(/|$)'`]);
      return r.stdout;
    };
    const rootWant = '/data/\n/data/d/\n/data/d/g\n/data/f\n/mnt/\n/mnt/bind/\n/mnt/bind/sub/\n/mnt/bind/sub/bf\n';
    const mntWant = 'mnt/\nmnt/bind/\nmnt/bind/sub/\nmnt/bind/sub/bf\n';
    const running = (await d.ok(['run', '-d', '-v', `${vol}:/data`, '-v', `${bindDir}:/mnt/bind:ro`, 'busybox', 'sh', '-c', 'echo hi > /data/f; mkdir -p /data/d; echo x > /data/d/g; touch /ready; sleep 300'])).trim();
    const created = (await d.ok(['create', '-v', `${vol}:/data`, '-v', `${bindDir}:/mnt/bind`, 'busybox', 'true'])).trim();
    try {
      await d.ok(['exec', running, 'sh', '-c', 'while [ ! -e /ready ]; do sleep 0.05; done']);
      assert.equal(await names(running, '/'), rootWant);
      assert.equal(await names(running, '/mnt'), mntWant);
      assert.equal(await names(running, '/data'), 'data/\ndata/d/\ndata/d/g\ndata/f\n');
      assert.equal((await run('sh', ['-c', `curl -sS --unix-socket ${d.socket} 'http://x/containers/${running}/archive?path=/' | tar -xOP -f - /data/f /mnt/bind/sub/bf`])).stdout, 'hi\nb\n');
      await d.ok(['stop', '-t', '0', running]);
      assert.equal(await names(running, '/'), rootWant);
      assert.equal(await names(created, '/mnt'), mntWant);
      // Nothing stays mounted once the responses are over (the daemon unmounts just after).
      let left = true;
      for (let i = 0; i < 100 && left; i++) {
        left = (await fs.readFile('/proc/self/mountinfo', 'utf8')).includes(`${d.execRoot}/archive-views`);
        if (left) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(left, false);
    } finally {
      await d.ok(['rm', '-f', running, created]);
      await d.ok(['volume', 'rm', vol]);
    }
  });
  // The view (every mount of the container really mounted, mount-view.ts) costs a recursive
  // bind and a mount per volume: a GET builds it only for a directory with a mount point
  // below it. Seen from outside: while a response is in flight, archive-views has a mount
  // or not. (Looks at the daemon's exec root: wharf only.)
  test('GET archive mounts a view only for a directory holding a mount point; paths in or beside a volume need none', { skip: process.env.WHARF_TEST_TARGET === 'docker' ? 'looks at the exec root' : false }, async () => {
    const vol = `cpnoview-${path.basename(tmp)}`.replace(/[^a-zA-Z0-9_.-]/g, '');
    const id = (await d.ok(['run', '-d', '-v', `${vol}:/vol`, 'busybox', 'sh', '-c', 'mkdir -p /big /vol/big; head -c 30000000 /dev/zero > /big/z; cp /big/z /vol/big/z; touch /ready; sleep 300'])).trim();
    const viewMounted = async () => (await fs.readFile('/proc/self/mountinfo', 'utf8')).includes(`${d.execRoot}/archive-views`);
    /** Starts a GET and leaves its body unread (tar blocks on a full socket): resolves with the status once headers are in. */
    const hold = (p: string) =>
      new Promise<{ status: number; req: http.ClientRequest; res: http.IncomingMessage }>((resolve, reject) => {
        const req = http.get({ socketPath: d.socket, path: `/containers/${id}/archive?path=${encodeURIComponent(p)}` }, (res) => {
          res.pause();
          resolve({ status: res.statusCode!, req, res });
        });
        req.on('error', reject);
      });
    try {
      await d.ok(['exec', id, 'sh', '-c', 'while [ ! -e /ready ]; do sleep 0.05; done']);
      for (const [p, want] of [['/big', false], ['/vol', false], ['/vol/big', false], ['/', true]] as const) {
        const h = await hold(p);
        try {
          assert.equal(h.status, 200, p);
          assert.equal(await viewMounted(), want, `view mounted for ${p}`);
        } finally {
          h.res.destroy();
          h.req.destroy();
        }
      }
      // The held responses' tars were stopped and the view unmounted.
      let left = true;
      for (let i = 0; i < 100 && left; i++) {
        left = await viewMounted();
        if (left) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(left, false);
      // The paths that took no view still give the volume's content.
      const r = await run('sh', ['-c', `curl -sS --unix-socket ${d.socket} 'http://x/containers/${id}/archive?path=/vol/big' | tar -tvf - | awk '{print $3, $6}'`]);
      assert.equal(r.stdout, '0 big/\n30000000 big/z\n');
    } finally {
      await d.ok(['rm', '-f', id]);
      await d.ok(['volume', 'rm', vol]);
    }
  });
});
