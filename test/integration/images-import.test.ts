// docker import: from a file and from stdin, --change lines seen by inspect and by a
// container, -m in history; hostile and garbage tars leave no image and write nothing
// outside the data root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxTar, startDaemon, TARGET, type TestDaemon } from './harness.js';
import { tarOf, type Entry } from './tars.js';

const CLIS = ['docker', 'wharf'] as const;

describe('images: import', () => {
  let d: TestDaemon;
  let tar: string;
  let scratch: string;

  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker', input?: Buffer) => {
    const r = await d[cli](args, input ? { input } : {});
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon();
    tar = await busyboxTar();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-import-'));
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
    await d.close();
  });

  for (const cli of CLIS) {
    test(`${cli} import from a file and from stdin gives the same layer`, async () => {
      const a = (await ok(['import', tar, `imp-${cli}:file`], cli)).trim();
      const b = (await ok(['import', '-', `imp-${cli}:stdin`], cli, readFileSync(tar))).trim();
      assert.match(a, /^sha256:[0-9a-f]{64}$/);
      assert.match(b, /^sha256:[0-9a-f]{64}$/);
      const layers = async (ref: string) => (await ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref], cli)).trim();
      assert.equal(await layers(a), await layers(b));
      assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}} {{.Comment}} {{json .Config.Cmd}}', `imp-${cli}:stdin`], cli), `${b} Imported from - null\n`);
      const hist = await ok(['history', '--format', '{{.Comment}}', `imp-${cli}:file`], cli);
      assert.equal(hist, 'Imported from -\n');
      // An untagged import shows as <none>:<none>.
      const c = (await ok(['import', tar], cli)).trim();
      assert.equal(await ok(['images', '--filter', 'dangling=true', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'], cli), `${c.slice(7, 19)} <none>:<none>\n`);
      assert.equal(await ok(['rmi', `imp-${cli}:file`, `imp-${cli}:stdin`, c], cli), `Untagged: imp-${cli}:file\nDeleted: ${a}\nUntagged: imp-${cli}:stdin\nDeleted: ${b}\nDeleted: ${c}\n`);
    });

    test(`${cli} import --change and -m: seen by inspect, history and a container`, async () => {
      const ref = `chg-${cli}:1`;
      const id = (await ok(['import', '-m', 'hello msg',
        '--change', 'ENV FOO=bar',
        '--change', 'ENV BAZ="two words"',
        '--change', 'ENTRYPOINT ["/bin/sh","-c"]',
        '--change', 'CMD ["echo $FOO-$BAZ; pwd; id -u; id -g"]',
        '--change', 'WORKDIR /srv/app',
        '--change', 'USER 1000:1000',
        '--change', 'EXPOSE 8080/tcp 53/udp',
        '--change', 'LABEL a=b "c d"=e',
        tar, ref], cli)).trim();
      const [img] = JSON.parse(await ok(['image', 'inspect', ref], cli)) as Record<string, any>[];
      assert.equal(img!.Id, id);
      assert.equal(img!.Comment, 'hello msg');
      assert.deepEqual(img!.Config.Env, ['FOO=bar', 'BAZ=two words']);
      assert.deepEqual(img!.Config.Entrypoint, ['/bin/sh', '-c']);
      assert.deepEqual(img!.Config.Cmd, ['echo $FOO-$BAZ; pwd; id -u; id -g']);
      assert.equal(img!.Config.WorkingDir, '/srv/app');
      assert.equal(img!.Config.User, '1000:1000');
      assert.deepEqual(img!.Config.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
      assert.deepEqual(img!.Config.Labels, { a: 'b', 'c d': 'e' });
      assert.equal(await ok(['history', '--format', '{{.Comment}}', ref], cli), 'hello msg\n');
      // The container starts from those defaults.
      assert.equal(await ok(['run', '--rm', ref], cli), 'bar-two words\n/srv/app\n1000\n1000\n');
      assert.equal(await ok(['run', '--rm', '-e', 'FOO=over', ref], cli), 'over-two words\n/srv/app\n1000\n1000\n');
      assert.equal(await ok(['run', '--rm', '--entrypoint', 'env', ref], cli).then((s) => s.split('\n').filter((l) => /^(FOO|BAZ|PATH)=/.test(l)).sort().join('\n')),
        'BAZ=two words\nFOO=bar\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
      const ctr = (await ok(['create', ref], cli)).trim();
      assert.equal(await ok(['inspect', '-f', '{{json .Config.ExposedPorts}} {{.Config.User}} {{.Config.WorkingDir}} {{json .Config.Labels}}', ctr], cli),
        '{"53/udp":{},"8080/tcp":{}} 1000:1000 /srv/app {"a":"b","c d":"e"}\n');
      await ok(['rm', ctr]);
      assert.equal(await ok(['rmi', ref], cli), `Untagged: ${ref}\nDeleted: ${id}\n`);
    });
  }

  test('import --change with an unknown or unsupported instruction is refused before reading the tar', async () => {
    for (const cli of CLIS) {
      const before = await ok(['images', '-q', '--no-trunc']);
      const r = await d[cli](['import', '--change', 'FOO bar', tar, 'bad:1']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: foo is not a valid change command\n');
      const r2 = await d[cli](['import', '--change', 'RUN echo hi', tar, 'bad:1']);
      assert.equal(r2.code, 1);
      assert.equal(r2.stderr, 'Error response from daemon: run is not a valid change command\n');
      assert.equal(await ok(['images', '-q', '--no-trunc']), before);
    }
  });

  test('import with an invalid reference is refused', async () => {
    for (const cli of CLIS) {
      const r = await d[cli](['import', tar, 'Bad:x']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /invalid reference format: repository name \(library\/Bad\) must be lowercase\n$/);
    }
  });

  // --- hostile input -------------------------------------------------------------------

  /** Names of everything under the store's image, layer and content folders. */
  async function storeListing(): Promise<string[]> {
    if (TARGET === 'docker') return [];
    const out: string[] = [];
    for (const sub of ['image', 'layers', 'content']) {
      const walk = async (dir: string, depth: number) => {
        for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
          out.push(path.relative(d.dataRoot, path.join(dir, e.name)));
          if (e.isDirectory() && depth > 0) await walk(path.join(dir, e.name), depth - 1);
        }
      };
      await walk(path.join(d.dataRoot, sub), 2);
    }
    return out.sort();
  }

  async function assertRefused(name: string, entries: Entry[], entryName: string): Promise<void> {
    const outside = await fs.mkdtemp(path.join(scratch, `${name}-outside-`));
    const body = await tarOf(entries.map((e) => ({ ...e, name: e.name.replaceAll('@OUT@', outside), linkname: e.linkname?.replaceAll('@OUT@', outside) })));
    const before = await ok(['images', '-a', '-q', '--no-trunc']);
    const store = await storeListing();
    for (const cli of CLIS) {
      const r = await d[cli](['import', '-', `hostile-${name}:1`], { input: body });
      assert.equal(r.code, 1, `${cli} import ${name} should fail: ${r.stdout}`);
      assert.ok(r.stderr.includes(entryName.replaceAll('@OUT@', outside)), `${cli}: error should name ${entryName}: ${r.stderr}`);
      assert.match(r.stderr, /^Error response from daemon: invalid tar entry "[^\n]+\n$/);
    }
    assert.equal(await ok(['images', '-a', '-q', '--no-trunc']), before, 'no image created');
    assert.deepEqual(await storeListing(), store, 'nothing left in the store');
    assert.deepEqual(await fs.readdir(outside), [], 'nothing written outside');
  }

  test('import refuses ".." paths, naming the entry', async () => {
    await assertRefused('dotdot', [
      { name: 'ok.txt', type: 'file', body: 'fine' },
      { name: '../../../../../../../..@OUT@/evil', type: 'file', body: 'x' },
    ], '../../../../../../../..@OUT@/evil');
    await assertRefused('dotdot2', [{ name: 'a/../../evil', type: 'file', body: 'x' }], 'a/../../evil');
  });

  test('import refuses a hard link out of the root, naming the entry', async () => {
    await assertRefused('hardlink', [{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }], 'passwd');
    await assertRefused('hardlink2', [{ name: 'shadow-link', type: 'link', linkname: '../../../../../../../../etc/shadow' }], '"shadow-link": hard link target ../../../../../../../../etc/shadow escapes the layer');
  });

  test('import refuses device nodes, naming the entry', async () => {
    await assertRefused('device', [
      { name: 'dev/', type: 'directory' },
      { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0 },
    ], 'dev/sda');
  });

  test('an absolute symlink and a file through it land inside the image, never outside', async () => {
    const outside = await fs.mkdtemp(path.join(scratch, 'symlink-outside-'));
    const body = await tarOf([
      { name: 'bin/', type: 'directory' },
      { name: 'bin/busybox', type: 'file', mode: 0o755, body: readFileSync('/bin/busybox') },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/cat', type: 'symlink', linkname: 'busybox' },
      { name: 'evil', type: 'symlink', linkname: outside },
      { name: 'evil/pwned', type: 'file', body: 'inside\n' },
      { name: 'evil2', type: 'symlink', linkname: '../../../../../../..' },
      { name: 'evil2/tmp/pwned2', type: 'file', body: 'inside2\n' },
    ]);
    for (const cli of CLIS) {
      const id = (await ok(['import', '-', `symlinks-${cli}:1`], cli, body)).trim();
      const layer = (await ok(['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', id])).trim();
      assert.deepEqual(await fs.readdir(outside), []);
      assert.ok(!existsSync('/tmp/pwned2'));
      assert.equal(await ok(['run', '--rm', `symlinks-${cli}:1`, '/bin/cat', `${outside}/pwned`, '/tmp/pwned2'], cli), 'inside\ninside2\n');
      assert.equal(await ok(['rmi', `symlinks-${cli}:1`], cli), `Untagged: symlinks-${cli}:1\nDeleted: ${id}\nDeleted: ${layer}\n` /* its own layer goes too */);
    }
  });

  test('garbage (not a tar) is refused with no image created', async () => {
    const before = await ok(['images', '-a', '-q', '--no-trunc']);
    const store = await storeListing();
    for (const cli of CLIS) {
      for (const input of [Buffer.from('this is not a tar archive at all\n'.repeat(40)), Buffer.from('\x1f\x8b\x08garbage-gzip')]) {
        const r = await d[cli](['import', '-', 'garbage:1'], { input });
        assert.equal(r.code, 1, `${cli}: ${r.stdout}`);
        assert.match(r.stderr, /^Error response from daemon: .+/);
      }
    }
    assert.equal(await ok(['images', '-a', '-q', '--no-trunc']), before);
    assert.deepEqual(await storeListing(), store);
  });
});
