// Restart policies: on-failure:N stops after N restarts, always restarts until `stop`,
// RestartCount counts restarts, `start` resets it, `always` and `unless-stopped` come back
// across a wharfd restart as Docker's do, and a stopped `unless-stopped` one does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, TARGET, type TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('restart policies', () => {
  let d: TestDaemon;

  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => (await d.ok(args, cli)).trim();
  const state = async (name: string) => {
    const out = await ok(['inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', name]);
    const [status, count, code] = out.split(' ');
    return { status, count: Number(count), code: Number(code) };
  };
  const waitFor = async (name: string, pred: (s: { status: string; count: number; code: number }) => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await state(name);
      if (pred(s)) return s;
      if (Date.now() > deadline) assert.fail(`${name}: still ${JSON.stringify(s)}`);
      await sleep(100);
    }
  };

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('on-failure:3 with exit 1: RestartCount 3, then exited with code 1', async () => {
    await ok(['run', '-d', '--name', 'of3', '--restart', 'on-failure:3', 'busybox', 'sh', '-c', 'exit 1']);
    // back-offs 100 + 200 + 400 ms: done well within 10 s
    const s = await waitFor('of3', (x) => x.status === 'exited' && x.count === 3);
    assert.deepEqual(s, { status: 'exited', count: 3, code: 1 });
    await sleep(1000); // no fourth restart
    assert.deepEqual(await state('of3'), { status: 'exited', count: 3, code: 1 });
    assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.RestartPolicy}}', 'of3']), '{"Name":"on-failure","MaximumRetryCount":3}');
  });

  test('on-failure does not restart a clean exit; no restarts with the default policy', async () => {
    await ok(['run', '-d', '--name', 'of-clean', '--restart', 'on-failure', 'busybox', 'true']);
    await ok(['run', '-d', '--name', 'nopolicy', 'busybox', 'sh', '-c', 'exit 3']);
    await sleep(800);
    assert.deepEqual(await state('of-clean'), { status: 'exited', count: 0, code: 0 });
    assert.deepEqual(await state('nopolicy'), { status: 'exited', count: 0, code: 3 });
  });

  test('always: restarts with back-off, shows Restarting in ps, stop ends it; start resets RestartCount', async () => {
    await ok(['run', '-d', '--name', 'alw', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2; exit 2']);
    await waitFor('alw', (x) => x.count >= 3);
    // The back-off grows to seconds: catch it between runs.
    const deadline = Date.now() + 10_000;
    let ps = '';
    while (Date.now() < deadline) {
      ps = await ok(['ps', '-a', '--filter', 'name=alw', '--format', '{{.Status}}']);
      if (ps.startsWith('Restarting')) break;
      await sleep(50);
    }
    assert.match(ps, /^Restarting \(2\) (Less than a second|\d+ seconds?) ago$/);
    assert.equal(await ok(['inspect', '-f', '{{.State.Running}} {{.State.Restarting}}', 'alw']), 'true true');
    await ok(['stop', 'alw'], 'wharf');
    const stopped = await state('alw');
    assert.equal(stopped.status, 'exited');
    await sleep(1500);
    assert.deepEqual(await state('alw'), stopped, 'no restart after stop');
    await ok(['start', 'alw']);
    const restarted = await state('alw');
    assert.ok(restarted.count <= 1, `start resets RestartCount (${restarted.count})`);
    await ok(['rm', '-f', 'alw']);
  });

  test('rm -f of a container waiting for its restart', async () => {
    await ok(['run', '-d', '--name', 'rmr', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']);
    await waitFor('rmr', (x) => x.count >= 4);
    await ok(['rm', '-f', 'rmr']);
    assert.equal((await d.docker(['inspect', 'rmr'])).code, 1);
  });

  test('events of a policy restart: die (exitCode, execDuration) then start', { skip: TARGET === 'docker' ? 'timing' : false }, async () => {
    const since = String(Math.floor(Date.now() / 1000));
    await ok(['run', '-d', '--name', 'evr', '--restart', 'on-failure:1', 'busybox', 'sh', '-c', 'exit 4']);
    await waitFor('evr', (x) => x.status === 'exited' && x.count === 1);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const out = await ok(['events', '--since', since, '--until', until, '--filter', 'container=evr', '--format', '{{.Action}}{{if .Actor.Attributes.exitCode}} {{.Actor.Attributes.exitCode}}{{end}}']);
    assert.deepEqual(out.split('\n'), ['create', 'start', 'die 4', 'start', 'die 4']);
  });

  test('across a wharfd restart: always and unless-stopped come back, a stopped unless-stopped does not', { skip: TARGET === 'docker' ? 'restarts the daemon' : false }, async () => {
    await ok(['run', '-d', '--name', 'alw2', '--restart', 'always', 'busybox', 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'us-stopped', '--restart', 'unless-stopped', 'busybox', 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'us-running', '--restart', 'unless-stopped', 'busybox', 'sleep', '1000']);
    await ok(['stop', '-t', '0', 'alw2']);
    await ok(['stop', '-t', '0', 'us-stopped']);
    await d.kill9();
    await d.restart();
    await waitFor('alw2', (x) => x.status === 'running', 5000);
    await waitFor('us-running', (x) => x.status === 'running', 5000);
    await sleep(500);
    assert.equal((await state('us-stopped')).status, 'exited');
    for (const n of ['alw2', 'us-stopped', 'us-running']) await ok(['rm', '-f', n]);
  });

  test('an always container that dies while wharfd is down is restarted at start', { skip: TARGET === 'docker' ? 'kills the daemon' : false }, async () => {
    await ok(['run', '-d', '--name', 'dies', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 5']);
    await d.kill9();
    await sleep(1500);
    await d.restart();
    const s = await waitFor('dies', (x) => x.count >= 1);
    assert.equal(s.code, 5);
    await ok(['rm', '-f', 'dies']);
  });
});
