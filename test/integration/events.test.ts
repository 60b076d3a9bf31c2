// docker events: Docker's event names and attributes, in order, through both CLIs;
// --since/--until windows (unix times, RFC 3339, durations), filters, --format.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('events', () => {
  let d: TestDaemon;
  let since = '';
  let until = '';
  let id = '';

  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => (await d.ok(args, cli)).trim();

  before(async () => {
    d = await startDaemon();
    since = String(Date.now() / 1000);
    id = await ok(['create', '--name', 'ev1', '--label', 'tier=web', 'busybox', 'sleep', '100']);
    await ok(['start', 'ev1']);
    await ok(['pause', 'ev1']);
    await ok(['unpause', 'ev1']);
    await ok(['exec', 'ev1', 'true']);
    await ok(['kill', '-s', 'USR1', 'ev1']); // PID 1 without a handler: ignored
    await ok(['rename', 'ev1', 'ev2']);
    await ok(['stop', '-t', '0', 'ev2']);
    await ok(['rm', 'ev2']);
    await ok(['tag', 'busybox', 'bb:ev']);
    await ok(['rmi', 'bb:ev']);
    await sleep(50);
    until = String(Date.now() / 1000);
  });
  after(async () => {
    await d.close();
  });

  test('container and image events in order with their attributes (docker CLI, custom format)', async () => {
    const fmt = '{{.Type}} {{.Action}} {{with .Actor.Attributes}}{{.name}}{{if .exitCode}} exitCode={{.exitCode}}{{end}}{{if .signal}} signal={{.signal}}{{end}}{{if .oldName}} oldName={{.oldName}}{{end}}{{if .tier}} tier={{.tier}}{{end}}{{end}}';
    const lines = (await ok(['events', '--since', since, '--until', until, '--format', fmt])).split('\n');
    assert.deepEqual(lines, [
      'container create ev1 tier=web',
      'container start ev1 tier=web',
      'container pause ev1 tier=web',
      'container unpause ev1 tier=web',
      'container exec_create: true ev1 tier=web',
      'container exec_start: true ev1 tier=web',
      'container exec_die ev1 exitCode=0 tier=web',
      'container kill ev1 signal=10 tier=web',
      'container rename ev2 oldName=/ev1 tier=web',
      'container kill ev2 signal=9 tier=web',
      'container die ev2 exitCode=137 tier=web',
      'container stop ev2 tier=web',
      'container destroy ev2 tier=web',
      'image tag bb:ev',
      `image untag ${(await ok(['inspect', '-f', '{{.Id}}', 'busybox'])).trim()}`,
    ]);
  });

  test('default format is docker\'s: local time with nanoseconds, type, action, ID, sorted attributes', async () => {
    const out = await ok(['events', '--since', since, '--until', until, '--filter', 'event=create']);
    assert.match(out, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${id} \\(image=busybox, name=ev1, tier=web\\)$`));
    const w = await ok(['events', '--since', since, '--until', until, '--filter', 'event=create'], 'wharf');
    assert.equal(w, out);
  });

  test('filters: container, type, label, image, event; {{json .}}', async () => {
    const f = async (filters: string[]) =>
      (await ok(['events', '--since', since, '--until', until, ...filters.flatMap((x) => ['--filter', x]), '--format', '{{.Action}}'])).split('\n').filter(Boolean);
    assert.deepEqual(await f(['container=ev2', 'event=rename']), ['rename']);
    assert.deepEqual(await f(['container=' + id.slice(0, 12), 'event=destroy']), ['destroy']);
    assert.deepEqual(await f(['type=image']), ['tag', 'untag']);
    assert.deepEqual(await f(['event=kill', 'container=ev']), ['kill', 'kill']);
    assert.deepEqual(await f(['label=tier=web', 'event=start']), ['start']);
    assert.deepEqual(await f(['image=busybox', 'event=create']), ['create']);
    assert.deepEqual(await f(['event=exec_start']), ['exec_start: true']);
    const json = JSON.parse(await ok(['events', '--since', since, '--until', until, '--filter', 'event=create', '--format', '{{json .}}'], 'wharf'));
    assert.equal(json.status, 'create');
    assert.equal(json.id, id);
    assert.equal(json.from, 'busybox');
    assert.equal(json.Type, 'container');
    assert.deepEqual(json.Actor, { ID: id, Attributes: { image: 'busybox', name: 'ev1', tier: 'web' } });
    assert.equal(json.scope, 'local');
  });

  test('API: since/until as RFC 3339 and durations; the stream ends at until; bad filters', async () => {
    const iso = new Date(Number(since) * 1000 - 1000).toISOString();
    const r = await d.api('GET', `/events?since=${encodeURIComponent(iso)}&until=${until}&filters=${encodeURIComponent(JSON.stringify({ event: ['create'] }))}`);
    assert.equal(r.status, 200);
    assert.equal(r.text.trim().split('\n').length, 1);
    const started = Date.now();
    const dur = await d.api('GET', `/events?since=10m&until=${until}&filters=${encodeURIComponent(JSON.stringify({ type: ['image'] }))}`);
    assert.deepEqual(dur.text.trim().split('\n').map((l) => JSON.parse(l).Action), ['import', 'tag', 'tag', 'untag']);
    const live = await d.api('GET', `/events?since=${since}&until=${(Date.now() + 800) / 1000}&filters=${encodeURIComponent(JSON.stringify({ type: ['image'] }))}`);
    assert.ok(Date.now() - started >= 700, 'streams until `until`');
    assert.deepEqual(live.text.trim().split('\n').map((l) => JSON.parse(l).Action), ['tag', 'untag']);
    const bad = await d.api('GET', `/events?filters=${encodeURIComponent(JSON.stringify({ nope: ['x'] }))}`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json, { message: "invalid filter 'nope'" });
  });

  test("a time that is neither a date nor a duration: docker's wording from the CLIs and the daemon", async () => {
    const why = 'failed to parse value as time or duration: "bogus"';
    for (const cli of ['docker', 'wharf'] as const) {
      const ev = await d[cli](['events', '--since', 'bogus']);
      assert.deepEqual([ev.code, ev.stderr.trim()], [1, why], `${cli} events`);
      const logs = await d[cli](['logs', '--until', 'bogus', 'busybox-never']);
      assert.equal(logs.code, 1);
    }
    const logs = await d.wharf(['run', '-d', '--name', 'ev-logs', 'busybox', 'true']);
    assert.equal(logs.code, 0);
    for (const cli of ['docker', 'wharf'] as const) {
      const r = await d[cli](['logs', '--until', 'bogus', 'ev-logs']);
      assert.deepEqual([r.code, r.stderr.trim()], [1, `invalid value for "until": ${why}`], `${cli} logs`);
    }
    await d.ok(['rm', '-f', 'ev-logs']);
    for (const kind of ['image', 'container', 'network']) {
      const r = await d.docker([kind, 'prune', '-f', '--filter', 'until=bogus']);
      assert.deepEqual([r.code, r.stderr.trim()], [1, `Error response from daemon: ${why}`], `${kind} prune`);
    }
    const api = await d.api('GET', '/events?since=bogus');
    assert.deepEqual([api.status, api.json], [400, { message: why }]);
  });
});
