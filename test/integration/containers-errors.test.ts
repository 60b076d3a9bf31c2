// Bad input to the container endpoints: the right status and Docker's message, nothing
// half-created after a failed create, and wharfd still serving afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from './harness.js';
import { CLIS, expectRun, ok, scoped } from './containers-helpers.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.close(); });

async function all(): Promise<string[]> {
  const r = await d.api('GET', '/containers/json?all=1');
  assert.equal(r.status, 200);
  return (r.json as { Id: string }[]).map((c) => c.Id).sort();
}

const message = (r: { json: unknown }): string => (r.json as { message?: string } | undefined)?.message ?? '';

describe('POST /containers/create with bad input', () => {
  test('each failure answers with its status and message and creates nothing', () => scoped(d, async (s) => {
    const taken = s.name('taken');
    const takenId = ((await d.api('POST', `/containers/create?name=${taken}`, { Image: 'busybox' })).json as { Id: string }).Id;
    const before = await all();
    const cases: { what: string; path: string; body: unknown; status: number; message: string | RegExp }[] = [
      { what: 'malformed JSON', path: '/containers/create', body: '{"Image": "busybox",', status: 400, message: /\S/ },
      { what: 'not an object', path: '/containers/create', body: '[1,2]', status: 400, message: /\S/ },
      { what: 'no image', path: '/containers/create', body: { Cmd: ['true'] }, status: 400, message: /\S/ },
      { what: 'unknown image', path: '/containers/create', body: { Image: 'wharf-it-missing:1' }, status: 404, message: 'No such image: wharf-it-missing:1' },
      { what: 'invalid name', path: '/containers/create?name=bad%2Fname', body: { Image: 'busybox' }, status: 400, message: 'Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' },
      { what: 'duplicate name', path: `/containers/create?name=${taken}`, body: { Image: 'busybox' }, status: 409, message: `Conflict. The container name "/${taken}" is already in use by container "${takenId}". You have to remove (or rename) that container to be able to reuse that name.` },
      { what: 'invalid restart policy', path: '/containers/create', body: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, status: 400, message: "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'" },
      { what: 'negative retry count', path: '/containers/create', body: { Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } } }, status: 400, message: 'invalid restart policy: maximum retry count cannot be negative' },
      { what: 'AutoRemove with a restart policy', path: '/containers/create', body: { Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, status: 400, message: "can't create 'AutoRemove' container with restart policy" },
    ];
    for (const c of cases) {
      const r = await d.api('POST', c.path, c.body);
      assert.equal(r.status, c.status, `${c.what}: ${r.text}`);
      if (typeof c.message === 'string') assert.equal(message(r), c.message, c.what);
      else assert.match(message(r), c.message, c.what);
      assert.deepEqual(await all(), before, `${c.what} must leave no container behind`);
    }
    // A name refused for another reason is not reserved.
    const later = s.name('later');
    assert.equal((await d.api('POST', `/containers/create?name=${later}`, { Image: 'wharf-it-missing:1' })).status, 404);
    assert.equal((await d.api('POST', `/containers/create?name=${later}`, { Image: 'busybox' })).status, 201);
  }));
});

describe('container lookups', () => {
  test('unknown container: 404 "No such container" on every endpoint', async () => {
    for (const [method, path] of [['GET', '/containers/nope/json'], ['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'], ['POST', '/containers/nope/wait'], ['DELETE', '/containers/nope'], ['GET', '/containers/nope/logs?stdout=1'], ['POST', '/containers/nope/exec']] as const) {
      const r = await d.api(method, path, method === 'POST' && path.endsWith('exec') ? { Cmd: ['true'] } : undefined);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.equal(message(r), 'No such container: nope', `${method} ${path}`);
    }
  });

  test('an ambiguous ID prefix is refused, a unique one resolves', () => scoped(d, async (s) => {
    // 17 IDs share a first hex digit with another at least (pigeonhole).
    const ids: string[] = [];
    for (let i = 0; i < 17; i++) ids.push(s.track(((await d.api('POST', '/containers/create', { Image: 'busybox' })).json as { Id: string }).Id));
    const first = ids.map((id) => id[0]);
    const shared = first.find((ch, i) => first.indexOf(ch) !== i)!;
    const r = await d.api('GET', `/containers/${shared}/json`);
    assert.equal(r.status, 400, r.text);
    assert.equal(message(r), `multiple IDs found with provided prefix: ${shared}`);
    const id = ids[0]!;
    const unique = (await d.api('GET', `/containers/${id.slice(0, 12)}/json`)).json as { Id: string };
    assert.equal(unique.Id, id);
  }));

  test('wharfd still serves after all that', async () => {
    assert.equal((await d.api('GET', '/_ping')).text, 'OK');
    assert.equal((await d.api('GET', '/containers/json')).status, 200);
  });
});

for (const c of CLIS) {
  describe(`CLI errors (${c})`, () => {
    test('missing containers: docker\'s wording and exit status', async () => {
      await expectRun(d, c, ['start', 'nope'], { code: 1, stderr: 'Error response from daemon: No such container: nope\nError: failed to start containers: nope\n' });
      await expectRun(d, c, ['stop', 'nope'], { code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
      await expectRun(d, c, ['rm', 'nope'], { code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
      await expectRun(d, c, ['pause', 'nope'], { code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
      await expectRun(d, c, ['top', 'nope'], { code: 1, stderr: 'Error response from daemon: No such container: nope\n' });
    });

    test('a duplicate name fails create with 125 and leaves the first container alone', () => scoped(d, async (s) => {
      const name = s.name('dup');
      const id = (await ok(d, c, ['create', '--name', name, 'busybox'])).trim();
      const before = await all();
      // create says daemon errors plainly with status 1; run wraps them with 125.
      await expectRun(d, c, ['create', '--name', name, 'busybox'], { code: 1, stderr: `Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.\n` });
      await expectRun(d, c, ['run', '--name', name, 'busybox'], { code: 125 });
      assert.deepEqual(await all(), before);
    }));

    test('start of a container whose command is missing: error, container stays Created→Exited(127)', () => scoped(d, async (s) => {
      const name = s.name('badcmd');
      await ok(d, c, ['create', '--name', name, 'busybox', 'nosuchcmd']);
      const r = await expectRun(d, c, ['start', name], { code: 1 });
      assert.match(r.stderr, /exec: "nosuchcmd": executable file not found in \$PATH: unknown\nError: failed to start containers: /);
      const st = (await d.api('GET', `/containers/${name}/json`)).json as { State: { Status: string; ExitCode: number; Error: string } };
      assert.equal(st.State.ExitCode, 127);
      assert.match(st.State.Error, /executable file not found/);
    }));
  });
}
