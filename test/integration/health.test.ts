// Health checks at run time (issue 7): `--health-*` flags and the image's HEALTHCHECK, probes
// run through exec, State.Health in inspect, `(healthy)` in ps, `health_status` events, timeouts,
// --no-healthcheck, and Docker's checks of bad values. Short intervals keep it quick.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type TestDaemon } from './harness.js';

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

describe('health checks', () => {
  let d: TestDaemon;
  const health = async (id: string): Promise<Health | null> => JSON.parse(await d.ok(['inspect', '-f', '{{json .State.Health}}', id]));
  /** Polls inspect until the status is `want` (probes run every 200 ms here). */
  const until = async (id: string, want: string, ms = 10_000): Promise<Health> => {
    const end = Date.now() + ms;
    for (;;) {
      const h = await health(id);
      if (h?.Status === want) return h;
      if (Date.now() > end) throw new Error(`health of ${id} stayed ${JSON.stringify(h)}, wanted ${want}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const psStatus = async (id: string) => (await d.ok(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}'], 'wharf')).trim();

  before(async () => {
    process.env.DOCKER_BUILDKIT = '0';
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('--health-cmd: starting, unhealthy after --health-retries failures, healthy once the check passes; ps and events say so', async () => {
    const since = Math.floor(Date.now() / 1000);
    const id = (await d.ok(['run', '-d', '--network', 'none', '--health-cmd', 'test -f /tmp/ok && echo fine', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '60'], 'wharf')).trim();
    try {
      const first = await health(id);
      assert.deepEqual(first, { Status: 'starting', FailingStreak: 0, Log: [] });
      assert.match(await psStatus(id), /^Up .* \(health: starting\)$/);
      const bad = await until(id, 'unhealthy');
      assert.ok(bad.FailingStreak >= 2, JSON.stringify(bad));
      assert.equal(bad.Log.at(-1)!.ExitCode, 1);
      assert.match(await psStatus(id), /^Up .* \(unhealthy\)$/);
      await d.ok(['exec', id, 'touch', '/tmp/ok']);
      const good = await until(id, 'healthy');
      assert.equal(good.FailingStreak, 0);
      assert.deepEqual({ ...good.Log.at(-1)!, Start: '', End: '' }, { Start: '', End: '', ExitCode: 0, Output: 'fine\n' });
      assert.ok(Date.parse(good.Log.at(-1)!.End) >= Date.parse(good.Log.at(-1)!.Start));
      assert.match(await psStatus(id), /^Up .* \(healthy\)$/);
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal((await health(id))!.Log.length, 5, 'the last five results are kept');
      const ev = await d.ok(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--filter', 'event=health_status', '--format', '{{.Action}}']);
      assert.equal(ev, 'health_status: unhealthy\nhealth_status: healthy\n');
    } finally {
      await d.ok(['rm', '-f', id]);
    }
  });

  test('the image\'s HEALTHCHECK applies; --no-healthcheck turns it off (no State.Health)', async () => {
    const r = await d.docker(['build', '-q', '-t', 'hc-image', '-'], { input: 'FROM busybox\nHEALTHCHECK --interval=200ms CMD ["true"]\n' });
    assert.equal(r.code, 0, r.stderr);
    const a = (await d.ok(['run', '-d', '--network', 'none', 'hc-image', 'sleep', '60'])).trim();
    const b = (await d.ok(['run', '-d', '--network', 'none', '--no-healthcheck', 'hc-image', 'sleep', '60'])).trim();
    try {
      const h = await until(a, 'healthy');
      assert.equal(h.Log[0]!.ExitCode, 0);
      assert.equal(await health(b), null);
      // Zero fields of the request come from the image (moby's merge).
      assert.deepEqual(JSON.parse(await d.ok(['inspect', '-f', '{{json .Config.Healthcheck}}', b])), { Test: ['NONE'], Interval: 200_000_000 });
      assert.match(await psStatus(b), /^Up [^(]*$/);
    } finally {
      await d.ok(['rm', '-f', a, b]);
    }
  });

  test('a probe over --health-timeout is killed and counts as -1 with Docker\'s message', async () => {
    const id = (await d.ok(['run', '-d', '--network', 'none', '--health-cmd', 'sleep 5', '--health-timeout', '300ms', '--health-interval', '200ms', '--health-retries', '1', 'busybox', 'sleep', '60'])).trim();
    try {
      const h = await until(id, 'unhealthy');
      assert.equal(h.Log[0]!.ExitCode, -1);
      assert.equal(h.Log[0]!.Output, 'Health check exceeded timeout (300ms)');
      assert.ok(Date.parse(h.Log[0]!.End) - Date.parse(h.Log[0]!.Start) < 2000, JSON.stringify(h.Log[0]));
    } finally {
      await d.ok(['rm', '-f', id]);
    }
  });

  test('health stops with the container and starts over at the next start', async () => {
    const id = (await d.ok(['run', '-d', '--network', 'none', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '60'])).trim();
    try {
      await until(id, 'healthy');
      await d.ok(['stop', '-t', '0', id]);
      const stopped = await health(id);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(await health(id), stopped, 'no probes while stopped');
      await d.ok(['start', id]);
      assert.equal((await health(id))!.Status, 'starting');
      await until(id, 'healthy');
    } finally {
      await d.ok(['rm', '-f', id]);
    }
  });

  test('bad values: the CLIs\' checks (exit 125) and the daemon\'s', async () => {
    const w = await d.wharf(['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox']);
    assert.equal(w.code, 125);
    assert.equal(w.stderr, "wharf: --no-healthcheck conflicts with --health-* options\n\nRun 'wharf run --help' for more information\n");
    const neg = await d.wharf(['create', '--health-retries', '-1', 'busybox']);
    assert.equal(neg.code, 125);
    assert.match(neg.stderr, /^wharf: --health-retries cannot be negative\n/);
    const tiny = await d.docker(['run', '--health-interval', '1us', 'busybox']);
    assert.equal(tiny.code, 125);
    assert.match(tiny.stderr, /Error response from daemon: Interval in Healthcheck cannot be less than 1ms/);
    const api = await d.api('POST', '/containers/create', { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'], Retries: -2 } });
    assert.equal(api.status, 400);
    assert.deepEqual(api.json, { message: 'Retries in Healthcheck cannot be negative' });
  });

  test('--health-on-failure (Podman\'s): kill, stop and restart act on the change to unhealthy; none and bad values', async () => {
    const state = async (id: string) => JSON.parse(await d.ok(['inspect', '-f', '{{json .State}} {{.RestartCount}} {{json .HostConfig.HealthOnFailure}}', id]).then((s) => `[${s.trim().split(' ').join(',')}]`));
    const waitFor = async (id: string, ok: (st: { Status: string; ExitCode: number }, restarts: number) => boolean) => {
      const end = Date.now() + 10_000;
      for (;;) {
        const [st, restarts] = await state(id);
        if (ok(st, restarts)) return [st, restarts];
        if (Date.now() > end) throw new Error(`${id} stayed ${JSON.stringify(st)} (${restarts} restarts)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const run = async (action: string) => (await d.ok(['run', '-d', '--network', 'none', '--health-cmd', 'false', '--health-interval', '200ms', '--health-retries', '1', '--health-on-failure', action, '--stop-timeout', '1', 'busybox', 'sleep', '60'], 'wharf')).trim();
    const ids: string[] = [];
    try {
      const killed = await run('kill');
      const stopped = await run('stop');
      const restarted = await run('restart');
      const none = await run('none');
      ids.push(killed, stopped, restarted, none);
      const [k] = await waitFor(killed, (st) => st.Status === 'exited');
      assert.equal(k.ExitCode, 137);
      const [st] = await waitFor(stopped, (s) => s.Status === 'exited');
      assert.equal(st.ExitCode, 137, 'sleep as PID 1 ignores SIGTERM: stop ends with SIGKILL');
      const [r, restarts] = await waitFor(restarted, (s, n) => s.Status === 'running' && n >= 1);
      assert.deepEqual([r.Status, restarts >= 1], ['running', true]);
      assert.equal((await health(restarted))!.Status !== undefined, true);
      await until(none, 'unhealthy');
      const [n, nRestarts, action] = await state(none);
      assert.deepEqual([n.Status, nRestarts, action], ['running', 0, 'none']);
      const [, , killAction] = await state(killed);
      assert.equal(killAction, 'kill');
    } finally {
      for (const id of ids) await d.ok(['rm', '-f', id]);
    }
    const bad = await d.wharf(['run', '-d', '--health-on-failure', 'reboot', 'busybox', 'true']);
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /^invalid argument "reboot" for "--health-on-failure" flag: must be one of none, kill, restart, stop/);
    const noCheck = await d.wharf(['create', '--health-on-failure', 'kill', 'busybox', 'true']);
    assert.deepEqual([noCheck.code, noCheck.stderr.trim()], [1, 'Error response from daemon: cannot set on-failure action to kill without a health check']);
    const api = await d.api('POST', '/containers/create', { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'] }, HostConfig: { HealthOnFailure: 'explode' } });
    assert.deepEqual([api.status, api.json], [400, { message: 'invalid HealthOnFailure "explode": must be one of none, kill, restart, stop' }]);
  });
});
