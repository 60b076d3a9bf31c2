// Container lifecycle through the docker CLI and wharf's CLI: create/start, stop (TERM then
// KILL), kill -s, restart, pause/unpause (the freezer really stops the processes), wait,
// rename, rm, container prune.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from './harness.js';
import { CLIS, expectRun, inspect, ok, scoped, sleep, waitFor, waitStatus } from './containers-helpers.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.close(); });

const LOOP = ['sh', '-c', 'trap "exit 7" TERM; while true; do sleep 0.1; done'];
const IGNORE_TERM = ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'];

for (const c of CLIS) {
  describe(`container lifecycle (${c})`, () => {
    test('create prints the full ID, the container is created, start -a streams and returns its code', () => scoped(d, async (s) => {
      const name = s.name('cr');
      const id = (await ok(d, c, ['create', '--name', name, 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 5'])).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const st = await inspect(d, name);
      assert.equal(st.Id, id);
      assert.equal(st.State.Status, 'created');
      assert.equal(st.State.Pid, 0);
      assert.equal(st.State.StartedAt, '0001-01-01T00:00:00Z');
      await expectRun(d, c, ['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], { stdout: 'Created\n' });
      await expectRun(d, c, ['start', '-a', name], { code: 5, stdout: 'out\n', stderr: 'err\n' });
      const after = await inspect(d, name);
      assert.equal(after.State.Status, 'exited');
      assert.equal(after.State.ExitCode, 5);
    }));

    test('start without -a prints the name; start -a -i feeds stdin', () => scoped(d, async (s) => {
      const name = s.name('st');
      await ok(d, c, ['create', '--name', name, 'busybox', 'sleep', '100']);
      await expectRun(d, c, ['start', name], { stdout: `${name}\n` });
      assert.equal((await inspect(d, name)).State.Running, true);
      // Starting a running container is a no-op that still prints the name.
      await expectRun(d, c, ['start', name], { stdout: `${name}\n` });
      const cat = s.name('cat');
      await ok(d, c, ['create', '-i', '--name', cat, 'busybox', 'sh', '-c', 'tr a-z A-Z']);
      await expectRun(d, c, ['start', '-a', '-i', cat], { stdout: 'HELLO\n' }, { input: 'hello\n' });
    }));

    test('stop: a TERM trap exits with its own code, stop is idempotent', () => scoped(d, async (s) => {
      const name = s.name('trap');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', ...LOOP]);
      const t0 = Date.now();
      await expectRun(d, c, ['stop', '-t', '5', name], { stdout: `${name}\n` });
      assert.ok(Date.now() - t0 < 4000, 'the trap should end the container long before the timeout');
      const st = await inspect(d, name);
      assert.equal(st.State.Status, 'exited');
      assert.equal(st.State.ExitCode, 7);
      await expectRun(d, c, ['ps', '-a', '--filter', `name=${name}`, '--format', '{{.Status}}'], { stdout: /^Exited \(7\) (Less than a second|\d+ seconds?) ago\n$/ });
      await expectRun(d, c, ['stop', name], { stdout: `${name}\n` });
    }));

    test('stop -t 1: a container ignoring TERM is killed after the timeout (137)', () => scoped(d, async (s) => {
      const name = s.name('ign');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', ...IGNORE_TERM]);
      await sleep(200); // let the shell install its trap
      const t0 = Date.now();
      await expectRun(d, c, ['stop', '-t', '1', name], { stdout: `${name}\n` });
      const took = Date.now() - t0;
      assert.ok(took >= 900 && took < 5000, `stop took ${took} ms`);
      const st = await inspect(d, name);
      assert.equal(st.State.ExitCode, 137);
      assert.equal(st.State.Running, false);
    }));

    test('kill -s sends the signal; kill defaults to KILL; killing a stopped container fails', () => scoped(d, async (s) => {
      const name = s.name('kill');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'trap "exit 10" USR1; while true; do sleep 0.1; done']);
      await sleep(200);
      await expectRun(d, c, ['kill', '-s', 'USR1', name], { stdout: `${name}\n` });
      await waitStatus(d, name, 'exited');
      assert.equal((await inspect(d, name)).State.ExitCode, 10);
      const k = s.name('kill9');
      await ok(d, c, ['run', '-d', '--name', k, 'busybox', 'sleep', '100']);
      await expectRun(d, c, ['kill', k], { stdout: `${k}\n` });
      await waitStatus(d, k, 'exited');
      assert.equal((await inspect(d, k)).State.ExitCode, 137);
      const id = (await inspect(d, k)).Id;
      await expectRun(d, c, ['kill', k], { code: 1, stderr: `Error response from daemon: Cannot kill container: ${k}: Container ${id} is not running\n` });
      await expectRun(d, c, ['kill', 'no-such-kill'], { code: 1, stderr: 'Error response from daemon: Cannot kill container: no-such-kill: No such container: no-such-kill\n' });
    }));

    test('restart gives a new process and keeps the container', () => scoped(d, async (s) => {
      const name = s.name('rs');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', ...LOOP]);
      const before = await inspect(d, name);
      await expectRun(d, c, ['restart', '-t', '2', name], { stdout: `${name}\n` });
      const after = await inspect(d, name);
      assert.equal(after.Id, before.Id);
      assert.equal(after.State.Running, true);
      assert.notEqual(after.State.Pid, before.State.Pid);
      assert.ok(after.State.StartedAt > before.State.StartedAt);
      assert.equal(after.RestartCount, 0); // a manual restart is not a policy restart
      // Restarting a stopped container starts it.
      await ok(d, c, ['stop', name]);
      await expectRun(d, c, ['restart', name], { stdout: `${name}\n` });
      assert.equal((await inspect(d, name)).State.Running, true);
    }));

    test('pause freezes the processes, unpause resumes them', () => scoped(d, async (s) => {
      const name = s.name('pz');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done']);
      const read = async () => Number((await ok(d, c, ['exec', name, 'cat', '/tmp/n'])).trim());
      await waitFor('the counter to start', async () => (await read()) > 0);
      await expectRun(d, c, ['pause', name], { stdout: `${name}\n` });
      const st = await inspect(d, name);
      assert.equal(st.State.Status, 'paused');
      assert.equal(st.State.Paused, true);
      assert.equal(st.State.Running, true);
      await expectRun(d, c, ['ps', '--filter', `name=${name}`, '--format', '{{.Status}}'], { stdout: /^Up .* \(Paused\)\n$/ });
      await expectRun(d, c, ['ps', '-q', '--no-trunc', '--filter', 'status=paused'], { stdout: `${st.Id}\n` });
      // The counter is read from the host side (exec refuses a paused container).
      const counter = `/proc/${st.State.Pid}/root/tmp/n`;
      const { readFile } = await import('node:fs/promises');
      const frozen = await readFile(counter, 'utf8');
      await sleep(400);
      assert.equal(await readFile(counter, 'utf8'), frozen, 'a paused container must not advance');
      await expectRun(d, c, ['exec', name, 'true'], { code: 1, stderr: /^Error response from daemon: Container \S+ is paused, unpause the container before exec\n$/ });
      await expectRun(d, c, ['pause', name], { code: 1, stderr: `Error response from daemon: Container ${st.Id} is already paused\n` });
      await expectRun(d, c, ['unpause', name], { stdout: `${name}\n` });
      assert.equal((await inspect(d, name)).State.Status, 'running');
      await waitFor('the counter to move again', async () => (await readFile(counter, 'utf8')) !== frozen);
      await expectRun(d, c, ['unpause', name], { code: 1, stderr: `Error response from daemon: Container ${st.Id} is not paused\n` });
    }));

    test('stop on a paused container stops it', () => scoped(d, async (s) => {
      const name = s.name('pzs');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sleep', '100']);
      await ok(d, c, ['pause', name]);
      await expectRun(d, c, ['stop', '-t', '1', name], { stdout: `${name}\n` });
      const st = await inspect(d, name);
      assert.equal(st.State.Status, 'exited');
      assert.equal(st.State.Paused, false);
    }));

    test('wait prints each exit code; waiting on an exited container returns at once', () => scoped(d, async (s) => {
      const a = s.name('wa');
      const b = s.name('wb');
      await ok(d, c, ['run', '-d', '--name', a, 'busybox', 'sh', '-c', 'sleep 0.3; exit 3']);
      await ok(d, c, ['run', '-d', '--name', b, 'busybox', 'sh', '-c', 'exit 4']);
      await expectRun(d, c, ['wait', a, b], { stdout: '3\n4\n' });
      await expectRun(d, c, ['wait', b], { stdout: '4\n' });
      await expectRun(d, c, ['wait', 'no-such-container-x'], { code: 1, stderr: 'Error response from daemon: No such container: no-such-container-x\n' });
    }));

    test('rename changes the name; the old one is free, a taken one conflicts', () => scoped(d, async (s) => {
      const a = s.name('rn');
      const b = s.name('rn2');
      const other = s.name('rn3');
      await ok(d, c, ['create', '--name', a, 'busybox']);
      await ok(d, c, ['create', '--name', other, 'busybox']);
      await expectRun(d, c, ['rename', a, b], { stdout: '' });
      assert.equal((await inspect(d, b)).Name, `/${b}`);
      assert.equal((await d.api('GET', `/containers/${a}/json`)).status, 404);
      const id = (await inspect(d, other)).Id;
      await expectRun(d, c, ['rename', b, other], { code: 1, stderr: `Error response from daemon: Error when allocating new name: Conflict. The container name "/${other}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.\nError: failed to rename container named ${b}\n` });
      await ok(d, c, ['create', '--name', a, 'busybox']);
    }));

    test('rm refuses a running container, rm -f kills and removes it', () => scoped(d, async (s) => {
      const name = s.name('rm');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sleep', '100']);
      const id = (await inspect(d, name)).Id;
      await expectRun(d, c, ['rm', name], { code: 1, stderr: `Error response from daemon: cannot remove container "/${name}": container is running: stop the container before removing or force remove\n` });
      await expectRun(d, c, ['rm', '-f', name], { stdout: `${name}\n` });
      assert.equal((await d.api('GET', `/containers/${id}/json`)).status, 404);
      await expectRun(d, c, ['rm', name], { code: 1, stderr: `Error response from daemon: No such container: ${name}\n` });
      // rm of several: the good ones go, the command fails for the missing one.
      const x = s.name('rmx');
      await ok(d, c, ['create', '--name', x, 'busybox']);
      await expectRun(d, c, ['rm', x, 'missing-zz'], { code: 1, stdout: `${x}\n`, stderr: 'Error response from daemon: No such container: missing-zz\n' });
    }));

    test('run --rm removes the container after it exits', () => scoped(d, async (s) => {
      const name = s.name('rmrun');
      await expectRun(d, c, ['run', '--rm', '--name', name, 'busybox', 'sh', '-c', 'exit 2'], { code: 2 });
      await waitFor('removal', async () => (await d.api('GET', `/containers/${name}/json`)).status === 404);
      await expectRun(d, c, ['run', '--rm', '--name', name, 'busybox', 'true'], { code: 0 });
    }));
  });
}

describe('container prune', () => {
  test('prune removes stopped containers only and reports them', () => scoped(d, async (s) => {
    // Other tests in this file leave nothing behind (scoped), so prune sees only these.
    const up = s.name('pr-up');
    const gone = s.name('pr-gone');
    await ok(d, 'docker', ['run', '-d', '--name', up, 'busybox', 'sleep', '100']);
    const id = (await ok(d, 'docker', ['create', '--name', gone, 'busybox'])).trim();
    for (const c of CLIS) {
      const want = c === CLIS[0] ? `Deleted Containers:\n${id}\n\nTotal reclaimed space: 0B\n` : 'Total reclaimed space: 0B\n';
      await expectRun(d, c, ['container', 'prune', '-f'], { stdout: want });
    }
    assert.equal((await d.api('GET', `/containers/${gone}/json`)).status, 404);
    assert.equal((await inspect(d, up)).State.Running, true);
    const r = await d.api('POST', '/containers/prune');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { ContainersDeleted: null, SpaceReclaimed: 0 });
  }));

  test('an exec instance goes with its pruned container', () => scoped(d, async (s) => {
    const name = s.name('pr-exec');
    await ok(d, 'docker', ['run', '-d', '--name', name, 'busybox', 'sleep', '100']);
    const exec = await d.api('POST', `/containers/${name}/exec`, { Cmd: ['true'] });
    assert.equal(exec.status, 201);
    const execId = (exec.json as { Id: string }).Id;
    await ok(d, 'docker', ['stop', '-t', '0', name]);
    await ok(d, 'docker', ['container', 'prune', '-f']);
    const r = await d.api('GET', `/exec/${execId}/json`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.json, { message: `No such exec instance: ${execId}` });
  }));
});
