// `ps` (flags, filters, formats) and `inspect` (Docker's JSON shape) through both CLIs.
// The containers are made once, in `before`; each test only reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from './harness.js';
import { CLIS, DEFAULT_PATH, expectRun, inspect, ok, Scope, sleep, waitStatus } from './containers-helpers.js';

let d: TestDaemon;
let s: Scope;
const ids: Record<'first' | 'second' | 'third', string> = { first: '', second: '', third: '' };
const names = { first: '', second: '', third: '' };

before(async () => {
  d = await startDaemon();
  s = new Scope(d);
  names.first = s.name('ps-first');
  names.second = s.name('ps-second');
  names.third = s.name('ps-third');
  // Oldest to newest: an exited one (code 3), a running labelled one, a created one.
  ids.first = (await ok(d, 'docker', ['run', '-d', '--name', names.first, '--label', 'tier=db', 'busybox', 'sh', '-c', 'exit 3'])).trim();
  await waitStatus(d, names.first, 'exited');
  await sleep(20);
  ids.second = (await ok(d, 'docker', ['run', '-d', '--name', names.second, '--label', 'tier=web', '--label', 'x', 'busybox', 'sleep', '1000'])).trim();
  await sleep(20);
  ids.third = (await ok(d, 'docker', ['create', '--name', names.third, 'busybox', 'echo', 'hi there'])).trim();
});
after(async () => {
  await s?.cleanup();
  await d?.close();
});

const short = (id: string): string => id.slice(0, 12);

for (const c of CLIS) {
  describe(`ps (${c})`, () => {
    test('default lists running containers only, in Docker\'s table', async () => {
      await expectRun(d, c, ['ps'], {
        stdout: new RegExp(`^CONTAINER ID   IMAGE     COMMAND        CREATED\\s+STATUS\\s+PORTS     NAMES\\n${short(ids.second)}   busybox   "sleep 1000"   .* ago\\s+Up .*\\s+${names.second}\\n$`),
      });
    });

    test('-a -q lists every container newest first; -n and -l limit', async () => {
      await expectRun(d, c, ['ps', '-a', '-q'], { stdout: [ids.third, ids.second, ids.first].map(short).join('\n') + '\n' });
      await expectRun(d, c, ['ps', '-q', '-n', '2'], { stdout: [ids.third, ids.second].map(short).join('\n') + '\n' });
      await expectRun(d, c, ['ps', '-q', '-l'], { stdout: `${short(ids.third)}\n` });
      await expectRun(d, c, ['ps', '-a', '-q', '--no-trunc'], { stdout: [ids.third, ids.second, ids.first].join('\n') + '\n' });
    });

    test('--filter id/name/label/status/exited/ancestor/before/since', async () => {
      const q = async (...filters: string[]) => (await ok(d, c, ['ps', '-a', '--format', '{{.Names}}', ...filters.flatMap((f) => ['--filter', f])])).split('\n').filter(Boolean);
      assert.deepEqual(await q(`id=${short(ids.second)}`), [names.second]);
      assert.deepEqual(await q(`name=${names.first}`), [names.first]);
      assert.deepEqual(await q('label=tier'), [names.second, names.first]);
      assert.deepEqual(await q('label=tier=db'), [names.first]);
      assert.deepEqual(await q('status=exited'), [names.first]);
      assert.deepEqual(await q('status=created'), [names.third]);
      assert.deepEqual(await q('status=running'), [names.second]);
      assert.deepEqual(await q('exited=3'), [names.first]);
      assert.deepEqual(await q('exited=0'), []);
      assert.deepEqual(await q('ancestor=busybox'), [names.third, names.second, names.first]);
      assert.deepEqual(await q(`before=${names.third}`), [names.second, names.first]);
      assert.deepEqual(await q(`since=${names.first}`), [names.third, names.second]);
      assert.deepEqual(await q('label=tier', 'status=running'), [names.second]);
      await expectRun(d, c, ['ps', '--filter', 'bogus=1'], { code: 1, stderr: 'Error response from daemon: invalid filter \'bogus\'\n' });
      await expectRun(d, c, ['ps', '--filter', 'status=bogus'], { code: 1, stderr: 'Error response from daemon: invalid filter \'status=bogus\'\n' });
    });

    test('--format: fields, json, table', async () => {
      await expectRun(d, c, ['ps', '--filter', `name=${names.second}`, '--format', '{{.ID}}|{{.Names}}|{{.Image}}|{{.Command}}|{{.Label "tier"}}'], { stdout: `${short(ids.second)}|${names.second}|busybox|"sleep 1000"|web\n` });
      await expectRun(d, c, ['ps', '-a', '--filter', `name=${names.first}`, '--format', '{{.Status}}'], { stdout: /^Exited \(3\) (Less than a second|\d+ seconds?) ago\n$/ });
      await expectRun(d, c, ['ps', '-a', '--filter', `name=${names.third}`, '--format', '{{.Status}}|{{.State}}'], { stdout: 'Created|created\n' });
      const json = JSON.parse(await ok(d, c, ['ps', '--filter', `name=${names.second}`, '--format', '{{json .}}']));
      assert.equal(json.ID, short(ids.second));
      assert.equal(json.Names, names.second);
      assert.equal(json.Image, 'busybox');
      assert.equal(json.Command, '"sleep 1000"');
      assert.equal(json.State, 'running');
      assert.equal(json.Labels, 'tier=web,x=');
      assert.match(json.CreatedAt, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+$/);
      await expectRun(d, c, ['ps', '-a', '--filter', `name=${names.third}`, '--format', 'table {{.Names}}\t{{.Command}}'], { stdout: `NAMES${' '.repeat(Math.max(names.third.length, 5) - 5 + 3)}COMMAND\n${names.third}   "echo 'hi there'"\n` });
      await expectRun(d, c, ['ps', '-a', '--no-trunc', '--filter', `name=${names.third}`, '--format', '{{.ID}} {{.Command}}'], { stdout: `${ids.third} "echo 'hi there'"\n` });
    });

    test('-s adds the SIZE column', async () => {
      await expectRun(d, c, ['ps', '-s', '--filter', `name=${names.second}`, '--format', '{{.Size}}'], { stdout: /^0B \(virtual [\d.]+[kM]B\)\n$/ });
    });
  });

  describe(`inspect (${c})`, () => {
    test('Docker\'s JSON shape', async () => {
      const out = await ok(d, c, ['inspect', names.second]);
      const [j] = JSON.parse(out) as Record<string, any>[];
      assert.equal(j.Id, ids.second);
      assert.equal(j.Name, `/${names.second}`);
      assert.match(j.Created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
      assert.equal(j.Path, 'sleep');
      assert.deepEqual(j.Args, ['1000']);
      assert.deepEqual(Object.keys(j.State), ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']);
      assert.equal(j.State.Status, 'running');
      assert.equal(j.State.Running, true);
      assert.ok(j.State.Pid > 0);
      assert.equal(j.State.FinishedAt, '0001-01-01T00:00:00Z');
      assert.match(j.Image, /^sha256:[0-9a-f]{64}$/);
      assert.equal(j.Config.Image, 'busybox');
      assert.deepEqual(j.Config.Cmd, ['sleep', '1000']);
      assert.deepEqual(j.Config.Env, [DEFAULT_PATH]);
      assert.deepEqual(j.Config.Labels, { tier: 'web', x: '' });
      assert.equal(j.Config.Hostname, short(ids.second));
      assert.equal(j.HostConfig.NetworkMode, 'bridge');
      assert.equal(j.RestartCount, 0);
      assert.equal(j.Driver, 'overlay2');
      assert.equal(typeof j.GraphDriver, 'object');
      assert.ok(Array.isArray(j.Mounts));
      assert.ok(out.startsWith('[\n    {\n        "Id": '), 'indented like docker');
    });

    test('exited container State; --format; several and missing objects', async () => {
      await expectRun(d, c, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}', names.first], { stdout: 'exited 3 false 0\n' });
      const pid = (await inspect(d, names.second)).State.Pid;
      await expectRun(d, c, ['inspect', '--format', '{{.State.Pid}}', names.second], { stdout: `${pid}\n` });
      await expectRun(d, c, ['container', 'inspect', '-f', '{{.Name}}', names.first, short(ids.third)], { stdout: `/${names.first}\n/${names.third}\n` });
      await expectRun(d, c, ['inspect', '-f', '{{json .Config.Labels}}', names.first], { stdout: '{"tier":"db"}\n' });
      await expectRun(d, c, ['inspect', '-f', '{{.Name}}', names.first, 'no-such-thing-x'], { code: 1, stdout: `/${names.first}\n`, stderr: 'Error: No such object: no-such-thing-x\n' });
      await expectRun(d, c, ['container', 'inspect', 'no-such-thing-x'], { code: 1, stdout: '[]\n', stderr: 'Error response from daemon: No such container: no-such-thing-x\n' });
    });
  });
}
