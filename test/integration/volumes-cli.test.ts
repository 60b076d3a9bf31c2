// volume create/ls/inspect/rm/prune through the docker CLI and wharf's CLI, and the
// /volumes API: Docker's shapes and wording (checked against Docker 20.10).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, TARGET, type TestDaemon } from './harness.js';

describe('volume commands', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli}: create, inspect, ls with filters, rm`, async () => {
      const a = `${cli}-plain`;
      const b = `${cli}-tmp`;
      assert.equal(await d.ok(['volume', 'create', a], cli), `${a}\n`);
      assert.equal(await d.ok(['volume', 'create', '--label', 'a=b', '--label', 'c', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', b], cli), `${b}\n`);
      const [va, vb] = JSON.parse(await d.ok(['volume', 'inspect', a, b], cli)) as Record<string, unknown>[];
      assert.equal(va!.Driver, 'local');
      assert.equal(va!.Labels, null);
      assert.equal(va!.Options, null);
      assert.equal(va!.Scope, 'local');
      assert.match(va!.CreatedAt as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      if (TARGET === 'wharf') assert.equal(va!.Mountpoint, `${d.dataRoot}/volumes/${a}/_data`);
      assert.deepEqual(vb!.Labels, { a: 'b', c: '' });
      assert.deepEqual(vb!.Options, { device: 'tmpfs', o: 'size=1m', type: 'tmpfs' });
      assert.equal(await d.ok(['volume', 'ls', '-q', '-f', 'label=a=b'], cli), `${b}\n`);
      assert.equal(await d.ok(['volume', 'ls', '-q', '-f', `name=${cli}-p`], cli), `${a}\n`);
      assert.match(await d.ok(['volume', 'ls'], cli), new RegExp(`^DRIVER\\s+VOLUME NAME\\n(local\\s+\\S+\\n)*local\\s+${a}\\n`));
      // The docker CLI joins the labels in Go's map order, which is random: compare them sorted.
      const [name, labels] = (await d.ok(['volume', 'ls', '--format', '{{.Name}} {{.Labels}}', '-f', 'label=c'], cli)).trim().split(' ');
      assert.deepEqual([name, labels!.split(',').sort()], [b, ['a=b', 'c=']]);
      assert.equal(await d.ok(['volume', 'rm', a, b], cli), `${a}\n${b}\n`);
      const gone = await d[cli](['volume', 'inspect', a]);
      assert.equal(gone.code, 1);
      assert.equal(gone.stdout, '[]\n');
      assert.equal(gone.stderr, `Error response from daemon: get ${a}: no such volume\n`);
    });
  }

  test('bad names, options and drivers are refused with Docker\'s wording', async () => {
    const cases: [string[], string][] = [
      [['bad name'], 'create bad name: "bad name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'],
      [['a'], 'create a: volume name is too short, names should be at least two alphanumeric characters'],
      [['-o', 'foo=bar', 'v3'], 'create v3: invalid option: "foo"'],
      [['-d', 'nodrv', 'v4'], 'create v4: error looking up volume plugin nodrv: plugin "nodrv" not found'],
    ];
    for (const [args, message] of cases) {
      const r = await d.docker(['volume', 'create', ...args]);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, `Error response from daemon: ${message}\n`);
    }
    const rm = await d.docker(['volume', 'rm', 'nonexist']);
    assert.equal(rm.stderr, 'Error response from daemon: get nonexist: no such volume\n');
    assert.equal(await d.ok(['volume', 'rm', '-f', 'nonexist']), 'nonexist\n');
    const bad = await d.docker(['volume', 'ls', '-f', 'foo=bar']);
    assert.equal(bad.stderr, "Error response from daemon: Invalid filter 'foo'\n");
  });

  test('in-use volumes: rm refused (even -f), dangling filter, prune keeps named ones unless --all', async () => {
    const id = (await d.ok(['create', '-v', 'used:/v', '-v', '/anon', 'busybox'])).trim();
    await d.ok(['volume', 'create', 'idle']);
    for (const args of [['volume', 'rm', 'used'], ['volume', 'rm', '-f', 'used']]) {
      const r = await d.docker(args);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, `Error response from daemon: remove used: volume is in use - [${id}]\n`);
    }
    assert.equal(await d.ok(['volume', 'ls', '-q', '-f', 'dangling=true']), 'idle\n');
    const list = (await d.api('GET', '/volumes')).json as { Volumes: { Name: string; Labels: Record<string, string> | null }[]; Warnings: unknown };
    assert.equal(list.Warnings, null);
    const anon = list.Volumes.find((v) => /^[0-9a-f]{64}$/.test(v.Name))!;
    if (TARGET === 'wharf') assert.deepEqual(anon.Labels, { 'com.docker.volume.anonymous': '' });
    // API ≥ 1.42 semantics (Docker 20.10 speaks 1.41, where prune takes named volumes too).
    if (TARGET === 'docker') return;
    // Nothing unused is anonymous yet: prune removes nothing; --all removes the idle named one.
    assert.equal(await d.ok(['volume', 'prune', '-f']), 'Total reclaimed space: 0B\n');
    assert.equal(await d.ok(['volume', 'prune', '-a', '-f'], 'wharf'), 'Deleted Volumes:\nidle\n\nTotal reclaimed space: 0B\n');
    await d.ok(['rm', id]);
    assert.equal(await d.ok(['volume', 'prune', '-f']), `Deleted Volumes:\n${anon.Name}\n\nTotal reclaimed space: 0B\n`);
    assert.equal(await d.ok(['volume', 'ls', '-q']), 'used\n');
    await d.ok(['volume', 'rm', 'used']);
  });

  test('API: create is idempotent, 404 wording, system df lists volumes', async () => {
    const c1 = await d.api('POST', '/volumes/create', { Name: 'apivol', Labels: { k: 'v' } });
    assert.equal(c1.status, 201);
    const c2 = await d.api('POST', '/volumes/create', { Name: 'apivol' });
    assert.deepEqual((c2.json as { Labels: unknown }).Labels, { k: 'v' });
    const missing = await d.api('GET', '/volumes/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { message: 'get nope: no such volume' });
    const df = (await d.api('GET', '/system/df?type=volume')).json as { Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[] };
    assert.deepEqual(df.Volumes.map((v) => [v.Name, v.UsageData]), [['apivol', { Size: 0, RefCount: 0 }]]);
    assert.equal((await d.api('DELETE', '/volumes/apivol')).status, 204);
  });
});
