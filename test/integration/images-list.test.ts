// IMAGE commands that read and name images: images (filters, -q, --no-trunc, --digests,
// --format), tag, rmi, image inspect, history.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxTar, startDaemon, type TestDaemon } from './harness.js';

const CLIS = ['docker', 'wharf'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines = (s: string) => s.split('\n').filter(Boolean);

describe('images: list, tag, rmi, inspect, history', () => {
  let d: TestDaemon;
  let tar: string;
  const ids: Record<string, string> = {};

  const ok = (args: string[], cli: 'docker' | 'wharf' = 'docker') => d.ok(args, cli);
  const fail = async (cli: 'docker' | 'wharf', args: string[], stderr: string) => {
    const r = await d[cli](args);
    assert.equal(r.code, 1, `${cli} ${args.join(' ')} should fail: ${r.stdout}`);
    assert.equal(r.stderr, stderr, `${cli} ${args.join(' ')}`);
  };

  before(async () => {
    d = await startDaemon();
    tar = await busyboxTar();
    ids.busybox = (await ok(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).trim();
    // Docker sorts the list by creation second: keep one image per second.
    await sleep(1100);
    ids.f1 = (await ok(['import', '--change', 'LABEL x=1', tar, 'f1:a'])).trim();
    await sleep(1100);
    ids.f2 = (await ok(['import', tar, 'f2:b'])).trim();
    await sleep(1100);
    ids.f3 = (await ok(['import', '--change', 'LABEL x=2', '-m', 'third', tar, 'f3:c'])).trim();
    await sleep(1100);
    ids.dangling = (await ok(['import', tar])).trim();
  });
  after(async () => {
    await d.close();
  });

  for (const cli of CLIS) {
    test(`${cli} images: table, -q, --no-trunc, --digests, --format`, async () => {
      const table = lines(await ok(['images'], cli));
      assert.match(table[0]!, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
      assert.deepEqual(table.slice(1).map((l) => l.split(/ {2,}/).slice(0, 3)), [
        ['<none>', '<none>', ids.dangling!.slice(7, 19)],
        ['f3', 'c', ids.f3!.slice(7, 19)],
        ['f2', 'b', ids.f2!.slice(7, 19)],
        ['f1', 'a', ids.f1!.slice(7, 19)],
        ['busybox', 'latest', ids.busybox!.slice(7, 19)],
      ]);
      assert.match(table[1]!, / ago +1\.98MB$/);
      assert.deepEqual(lines(await ok(['images', '-q'], cli)), [ids.dangling, ids.f3, ids.f2, ids.f1, ids.busybox].map((i) => i!.slice(7, 19)));
      assert.deepEqual(lines(await ok(['images', '-q', '--no-trunc'], cli)), [ids.dangling, ids.f3, ids.f2, ids.f1, ids.busybox]);
      const noTrunc = lines(await ok(['images', '--no-trunc', 'f1'], cli));
      assert.equal(noTrunc.length, 2);
      assert.equal(noTrunc[1]!.split(/ {2,}/)[2], ids.f1);
      const digests = lines(await ok(['images', '--digests', 'f2:b'], cli));
      assert.match(digests[0]!, /^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$/);
      assert.deepEqual(digests[1]!.split(/ {2,}/).slice(0, 4), ['f2', 'b', '<none>', ids.f2!.slice(7, 19)]);
      assert.equal(await ok(['images', '--format', '{{.Repository}}|{{.Tag}}|{{.ID}}|{{.Digest}}', 'f3'], cli), `f3|c|${ids.f3!.slice(7, 19)}|<none>\n`);
      assert.equal(await ok(['images', '--format', '{{json .Containers}} {{.Size}}', 'f3'], cli), '"N/A" 1.98MB\n');
      assert.equal(await ok(['images', 'nothing-like-this'], cli), 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
    });

    test(`${cli} images --filter dangling/reference/label/before/since`, async () => {
      const names = async (...f: string[]) => lines(await ok(['images', ...f.flatMap((x) => ['--filter', x]), '--format', '{{.Repository}}:{{.Tag}}'], cli));
      assert.deepEqual(await names('dangling=true'), ['<none>:<none>']);
      assert.deepEqual(await names('dangling=false'), ['f3:c', 'f2:b', 'f1:a', 'busybox:latest']);
      assert.deepEqual(await names('reference=f*'), ['f3:c', 'f2:b', 'f1:a']);
      assert.deepEqual(await names('reference=f2'), ['f2:b']);
      assert.deepEqual(await names('reference=*:c'), ['f3:c']);
      assert.deepEqual(await names('reference=busybox:latest'), ['busybox:latest']);
      assert.deepEqual(await names('label=x'), ['f3:c', 'f1:a']);
      assert.deepEqual(await names('label=x=2'), ['f3:c']);
      assert.deepEqual(await names('label=x=2', 'reference=f1'), []);
      assert.deepEqual(await names('before=f2:b'), ['f1:a', 'busybox:latest']);
      assert.deepEqual(await names(`since=${ids.f2!.slice(7, 19)}`), ['<none>:<none>', 'f3:c']);
      assert.deepEqual(await names('since=f1:a', 'before=f3:c'), ['f2:b']);
      await fail(cli, ['images', '--filter', 'bogus=1'], "Error response from daemon: invalid filter 'bogus'\n");
      await fail(cli, ['images', '--filter', 'dangling=maybe'], "Error response from daemon: invalid filter 'dangling=[maybe]'\n");
      await fail(cli, ['images', '--filter', 'before=nope'], 'Error response from daemon: No such image: nope:latest\n');
    });
  }

  test('image inspect: fields and --format (docker and wharf agree)', async () => {
    for (const cli of CLIS) {
      const [img] = JSON.parse(await ok(['image', 'inspect', 'f3:c'], cli)) as Record<string, any>[];
      assert.equal(img!.Id, ids.f3);
      assert.deepEqual(img!.RepoTags, ['f3:c']);
      assert.deepEqual(img!.RepoDigests, []);
      assert.equal(img!.Parent, '');
      assert.equal(img!.Comment, 'third');
      assert.equal(img!.Os, 'linux');
      assert.equal(img!.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
      assert.deepEqual(img!.Config.Labels, { x: '2' });
      assert.equal(img!.Config.Cmd, null);
      assert.equal(img!.RootFS.Type, 'layers');
      assert.equal(img!.RootFS.Layers.length, 1);
      assert.match(img!.RootFS.Layers[0], /^sha256:[0-9a-f]{64}$/);
      assert.equal(img!.GraphDriver.Name, 'overlay2');
      assert.ok(img!.Size > 1_000_000 && img!.Size < 3_000_000, String(img!.Size));
      assert.ok(Math.abs(Date.parse(img!.Created) - Date.now()) < 60_000, img!.Created);
      assert.equal(await ok(['image', 'inspect', '--format', '{{.Id}} {{index .RepoTags 0}} {{.Config.Labels.x}} {{len .RootFS.Layers}}', 'f3:c'], cli), `${ids.f3} f3:c 2 1\n`);
      assert.equal(await ok(['image', 'inspect', '-f', '{{json .Config.Cmd}}', 'busybox'], cli), '["sh"]\n');
      // By short ID, full ID and sha256-less hex.
      for (const ref of [ids.f3!.slice(7, 19), ids.f3!, ids.f3!.slice(7)]) {
        assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}}', ref], cli), `${ids.f3}\n`);
      }
      const miss = await d[cli](['image', 'inspect', 'nope']);
      assert.equal(miss.code, 1);
      assert.equal(miss.stdout, '[]\n');
      assert.equal(miss.stderr, 'Error response from daemon: No such image: nope:latest\n');
    }
  });

  test('unknown image is 404 "No such image"; invalid reference format is 400', async () => {
    const r = await d.api('GET', '/images/x/json');
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: 'No such image: x:latest' });
    const h = await d.api('GET', '/images/x/history');
    assert.equal(h.status, 404);
    const del = await d.api('DELETE', '/images/x');
    assert.equal(del.status, 404);
    assert.deepEqual(del.json, { message: 'No such image: x:latest' });
    const bad = await d.api('POST', '/images/busybox/tag?repo=Bad&tag=x');
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /^invalid reference format: repository name \(library\/Bad\) must be lowercase$/);
    const badTag = await d.api('POST', '/images/busybox/tag?repo=ok&tag=-x');
    assert.equal(badTag.status, 400);
    for (const cli of CLIS) {
      await fail(cli, ['rmi', 'x'], 'Error response from daemon: No such image: x:latest\n');
      await fail(cli, ['history', 'x'], 'Error response from daemon: No such image: x:latest\n');
      await fail(cli, ['tag', 'x', 'y'], 'Error response from daemon: No such image: x:latest\n');
    }
  });

  test('history: rows, --no-trunc, -q, --format', async () => {
    for (const cli of CLIS) {
      const rows = lines(await ok(['history', 'f3:c'], cli));
      assert.match(rows[0]!, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
      assert.equal(rows.length, 2);
      assert.match(rows[1]!, new RegExp(`^${ids.f3!.slice(7, 19)} +\\d+ seconds? ago +1\\.98MB +third$`));
      assert.equal(await ok(['history', '-q', 'f3:c'], cli), `${ids.f3!.slice(7, 19)}\n`);
      assert.equal(await ok(['history', '-q', '--no-trunc', 'f3:c'], cli), `${ids.f3}\n`);
      const nt = lines(await ok(['history', '--no-trunc', 'f2:b'], cli));
      assert.ok(nt[1]!.startsWith(`${ids.f2}   `), nt[1]);
      assert.match(nt[1]!, /Imported from -$/);
      assert.equal(await ok(['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.Size}}', 'f2:b'], cli), `${ids.f2!.slice(7, 19)}||Imported from -|1.98MB\n`);
    }
  });

  test('tag and rmi: untag lines, delete lines, Docker\'s conflicts', async () => {
    for (const cli of CLIS) {
      const id = (await ok(['import', tar, 't1:b'])).trim();
      const short = id.slice(7, 19);
      assert.equal(await ok(['tag', 't1:b', 't1:a'], cli), '');
      assert.equal(await ok(['tag', short, 'zz:1'], cli), '');
      assert.equal(await ok(['tag', 't1:b', 'aa'], cli), '');
      assert.equal(await ok(['tag', 't1:b', 'localhost:5000/ns/t1:v2'], cli), '');
      assert.equal(await ok(['image', 'inspect', '-f', '{{json .RepoTags}}', id], cli), '["aa:latest","t1:a","t1:b","zz:1","localhost:5000/ns/t1:v2"]\n' /* sorted by full name: docker.io/… first */);
      // Retagging moves the tag: the old image keeps its other names.
      assert.equal(await ok(['tag', 'f1:a', 'zz:1'], cli), '');
      assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}}', 'zz:1'], cli), `${ids.f1}\n`);
      assert.equal(await ok(['rmi', 'zz:1'], cli), 'Untagged: zz:1\n');
      assert.equal(await ok(['rmi', 'aa'], cli), 'Untagged: aa:latest\n');
      await fail(cli, ['rmi', short], `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories\n`);
      await fail(cli, ['tag', 't1:b', 'Bad:x'], 'Error parsing reference: "Bad:x" is not a valid repository/tag: invalid reference format: repository name (library/Bad) must be lowercase\n');
      assert.equal(await ok(['rmi', '-f', short], cli), `Untagged: t1:a\nUntagged: t1:b\nUntagged: localhost:5000/ns/t1:v2\nDeleted: ${id}\n`);
      await fail(cli, ['image', 'inspect', id], `Error response from daemon: No such image: ${id}\n`);

      // The last tag removes the image.
      const one = (await ok(['import', tar, 'one:1'])).trim();
      assert.equal(await ok(['rmi', 'one:1'], cli), `Untagged: one:1\nDeleted: ${one}\n`);
      // A dangling image is removed by ID.
      const dang = (await ok(['import', tar])).trim();
      assert.equal(await ok(['rmi', dang.slice(7, 19)], cli), `Deleted: ${dang}\n`);
    }
  });

  test('rmi refuses an image a container uses (stopped, then running), in Docker\'s words', async () => {
    for (const cli of CLIS) {
      const id = (await ok(['import', '--change', 'CMD ["sleep","300"]', tar, 'used:1'])).trim();
      const short = id.slice(7, 19);
      const ctr = (await ok(['create', 'used:1'])).trim();
      try {
        await fail(cli, ['rmi', 'used:1'], `Error response from daemon: conflict: unable to remove repository reference "used:1" (must force) - container ${ctr.slice(0, 12)} is using its referenced image ${short}\n`);
        await fail(cli, ['rmi', short], `Error response from daemon: conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${ctr.slice(0, 12)}\n`);
        await ok(['start', ctr]);
        await fail(cli, ['rmi', 'used:1'], `Error response from daemon: conflict: unable to remove repository reference "used:1" (must force) - container ${ctr.slice(0, 12)} is using its referenced image ${short}\n`);
        await fail(cli, ['rmi', '-f', short], `Error response from daemon: conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${ctr.slice(0, 12)}\n`);
        // Forcing a name only untags; the running container keeps the image.
        assert.equal(await ok(['rmi', '-f', 'used:1'], cli), 'Untagged: used:1\n');
        assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}} {{json .RepoTags}}', short]), `${id} []\n`);
        await ok(['rm', '-f', ctr]);
        assert.equal(await ok(['rmi', short], cli), `Deleted: ${id}\n`);
      } finally {
        await d.docker(['rm', '-f', ctr]);
      }
      // A stopped container's image goes with -f (the container stays).
      await ok(['tag', 'busybox', 'gone:1']);
      const id2 = (await ok(['import', tar, 'gone:2'])).trim();
      const c2 = (await ok(['create', 'gone:2', 'true'])).trim();
      try {
        assert.equal(await ok(['rmi', '-f', 'gone:2'], cli), `Untagged: gone:2\nDeleted: ${id2}\n`);
        assert.equal(await ok(['ps', '-a', '-q', '--no-trunc', '--filter', `id=${c2}`]), `${c2}\n`);
      } finally {
        await d.docker(['rm', '-f', c2]);
        await d.docker(['rmi', 'gone:1']);
      }
    }
  });
});
