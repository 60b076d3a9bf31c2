// wharf compose beyond up/down, on examples/compose-health (busybox only): depends_on
// service_healthy and service_completed_successfully, --wait, exec, run, port, top,
// images, cp, the lifecycle commands, ls, version; attached up with prefixed logs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, startDaemon, type TestDaemon } from './harness.js';

const EXAMPLE = path.join(REPO, 'examples/compose-health');
const P = 'cmds';

describe('compose: commands on a running project', { concurrency: false }, () => {
  let d: TestDaemon;
  let dir: string;
  const compose = (args: string[], o: { input?: string } = {}) => d.wharf(['compose', '-p', P, '--project-directory', dir, ...args], { timeoutMs: 120_000, ...o });
  const inspect = async (name: string, fmt: string) => (await d.ok(['inspect', '--format', fmt, name], 'docker')).trim();

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-cmds-'));
    await fs.cp(EXAMPLE, dir, { recursive: true });
  });
  after(async () => {
    try {
      await compose(['down', '-v', '--remove-orphans', '-t', '0']);
      await d.wharf(['compose', '-p', 'cmdsattached', '--project-directory', path.join(dir, 'attached'), 'down', '-t', '0']);
      await d.wharf(['compose', '-p', 'cmdsfail', '--project-directory', path.join(dir, 'fail'), 'down', '-t', '0']);
      await d.wharf(['compose', '-p', 'cmdsabort', '--project-directory', path.join(dir, 'abort'), 'down', '-t', '0']);
      await d.wharf(['compose', '-p', 'cmdsvols', '--project-directory', path.join(dir, 'vols'), 'down', '-v', '-t', '0']);
      await d.wharf(['compose', '-p', 'cmdsorph', '--project-directory', path.join(dir, 'orph'), 'down', '-v', '--remove-orphans', '-t', '0']);
      await d.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('up --wait: app starts after db is healthy and migrate exited 0', async () => {
    const r = await compose(['up', '-d', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => / Container cmds-/.test(l));
    const at = (s: string) => { const i = lines.indexOf(s); assert.ok(i >= 0, `${s} missing in\n${lines.join('\n')}`); return i; };
    assert.ok(at(' Container cmds-db-1  Healthy') < at(' Container cmds-app-1  Creating'));
    assert.ok(at(' Container cmds-migrate-1  Exited') < at(' Container cmds-app-1  Creating'));
    assert.equal(await inspect('cmds-db-1', '{{.State.Health.Status}}'), 'healthy');
    assert.equal(await inspect('cmds-app-1', '{{.State.Status}}'), 'running');
    assert.equal(await inspect('cmds-migrate-1', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 0');
    const appStarted = Date.parse(await inspect('cmds-app-1', '{{.State.StartedAt}}'));
    const migrateDone = Date.parse(await inspect('cmds-migrate-1', '{{.State.FinishedAt}}'));
    assert.ok(appStarted >= migrateDone, `app started ${appStarted} before migrate finished ${migrateDone}`);
  });

  test('exec -T with -e, -u, -w; exit code passes through; unknown service fails', async () => {
    const r = await compose(['exec', '-T', '-e', 'EXTRA=x', '-u', '1000', '-w', '/tmp', 'app', 'sh', '-c', 'echo "$GREETING $EXTRA $(id -u) $(pwd)"']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi x 1000 /tmp\n');
    assert.equal((await compose(['exec', '-T', 'app', 'sh', '-c', 'exit 7'])).code, 7);
    const bad = await compose(['exec', '-T', 'nope', 'true']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /service "nope" is not running/);
  });

  test('exec --index picks the replica', async () => {
    const r = await compose(['up', '-d', '--scale', 'app=2', '--no-recreate']);
    assert.equal(r.code, 0, r.stderr);
    const h2 = await compose(['exec', '-T', '--index', '2', 'app', 'hostname']);
    assert.equal(h2.stdout.trim(), (await inspect('cmds-app-2', '{{.Config.Hostname}}')));
    const h1 = await compose(['exec', '-T', 'app', 'hostname']);
    assert.equal(h1.stdout.trim(), (await inspect('cmds-app-1', '{{.Config.Hostname}}')));
    assert.match((await compose(['exec', '-T', '--index', '5', 'app', 'true'])).stderr, /service "app" is not running container #5/);
    assert.equal((await compose(['up', '-d', '--scale', 'app=1', '--no-recreate'])).code, 0);
  });

  test('run --rm -T -e: one-off output, exit code, nothing left', async () => {
    const r = await compose(['run', '--rm', '-T', '-e', 'X=1', 'app', 'sh', '-c', 'echo "run $X $GREETING"; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'run 1 hi\n');
    const left = await d.ok(['ps', '-a', '--filter', 'label=com.docker.compose.oneoff=True', '--format', '{{.Names}}'], 'docker');
    assert.equal(left, '');
  });

  test('run -d: oneoff label, run name, no published ports unless --service-ports, not in ps', async () => {
    const r = await compose(['run', '-d', '--no-deps', 'app', 'sleep', '100']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const labels = JSON.parse(await inspect(id, '{{json .Config.Labels}}')) as Record<string, string>;
    assert.equal(labels['com.docker.compose.oneoff'], 'True');
    assert.equal(labels['com.docker.compose.service'], 'app');
    assert.match(labels['com.docker.compose.slug'] ?? '', /^[0-9a-f]{64}$/);
    const name = (await inspect(id, '{{.Name}}')).slice(1);
    assert.equal(name, `cmds-app-run-${labels['com.docker.compose.slug']!.slice(0, 12)}`);
    assert.equal(await inspect(id, '{{json .HostConfig.PortBindings}}'), '{}');
    assert.equal(await inspect(id, '{{.HostConfig.RestartPolicy.Name}}'), 'no');
    assert.doesNotMatch((await compose(['ps'])).stdout, /run-/);
    const sp = await compose(['run', '-d', '--service-ports', '--no-deps', 'app', 'sleep', '100']);
    assert.equal(sp.code, 0, sp.stderr);
    assert.match(await inspect(sp.stdout.trim(), '{{json .HostConfig.PortBindings}}'), /"80\/tcp":\[\{"HostIp":"127.0.0.1","HostPort":""\}\]/);
    await d.ok(['rm', '-f', id, sp.stdout.trim()], 'docker');
  });

  test('run -p -v --name --entrypoint -w -u -l --use-aliases', async () => {
    await fs.mkdir(path.join(dir, 'runvol'));
    await fs.writeFile(path.join(dir, 'runvol', 'f'), 'from host\n');
    const r = await compose(['run', '-d', '--no-deps', '--name', 'cmds-custom', '-p', '127.0.0.1::9000', '-v', './runvol:/mnt/x:ro', '-v', 'cmdsrun:/data',
      '--entrypoint', 'sh -c', '-w', '/mnt/x', '-u', '1000', '-l', 'team=a', '--use-aliases', 'app', 'cat f; id -u; pwd; echo done; sleep 100']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    try {
      assert.equal(await inspect(id, '{{.Name}}'), '/cmds-custom');
      assert.equal(await inspect(id, '{{json .HostConfig.PortBindings}}'), '{"9000/tcp":[{"HostIp":"127.0.0.1","HostPort":""}]}');
      assert.equal(await inspect(id, '{{json .Config.Entrypoint}} {{json .Config.Cmd}}'), '["sh","-c"] ["cat f; id -u; pwd; echo done; sleep 100"]');
      assert.equal(await inspect(id, '{{.Config.WorkingDir}} {{.Config.User}} {{index .Config.Labels "team"}} {{index .Config.Labels "com.docker.compose.oneoff"}}'), '/mnt/x 1000 a True');
      const mounts = JSON.parse(await inspect(id, '{{json .Mounts}}')) as { Type: string; Source: string; Name?: string; Destination: string; RW: boolean }[];
      assert.deepEqual(mounts.map((m) => [m.Type, m.Type === 'bind' ? m.Source : m.Name, m.Destination, m.RW]).sort(), [
        ['bind', path.join(dir, 'runvol'), '/mnt/x', false], ['volume', 'cmdsrun', '/data', true],
      ]);
      assert.ok((JSON.parse(await inspect(id, '{{json .NetworkSettings.Networks.cmds_default.Aliases}}')) as string[]).includes('app'));
      let logs = '';
      for (let i = 0; i < 50 && !logs.includes('done'); i++) { logs = await d.ok(['logs', id], 'docker'); await new Promise((res) => setTimeout(res, 100)); }
      assert.equal(logs, 'from host\n1000\n/mnt/x\ndone\n');
    } finally {
      await d.ok(['rm', '-f', id], 'docker');
      await d.ok(['volume', 'rm', 'cmdsrun'], 'docker');
    }
    // Without --use-aliases the one-off is not reachable as `app`.
    const plain = await compose(['run', '-d', '--no-deps', 'app', 'sleep', '100']);
    assert.equal(await inspect(plain.stdout.trim(), '{{json .NetworkSettings.Networks.cmds_default.Aliases}}').then((a) => (JSON.parse(a) as string[] | null ?? []).includes('app')), false);
    await d.ok(['rm', '-f', plain.stdout.trim()], 'docker');
  });

  test('run refuses bad flags before creating anything', async () => {
    const before = await d.ok(['ps', '-aq'], 'docker');
    const both = await compose(['run', '-d', '--service-ports', '-p', '9000', 'app', 'true']);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, '--service-ports and --publish are incompatible\n');
    const label = await compose(['run', '-d', '-l', 'nolabel', 'app', 'true']);
    assert.equal(label.code, 1);
    assert.equal(label.stderr, 'label must be set as KEY=VALUE\n');
    assert.equal(await d.ok(['ps', '-aq'], 'docker'), before);
  });

  test('port prints the published address; an unpublished port is an error', async () => {
    const r = await compose(['port', 'app', '80']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^127\.0\.0\.1:\d+\n$/);
    const hostPort = await inspect('cmds-app-1', '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}');
    assert.equal(r.stdout, `127.0.0.1:${hostPort}\n`);
    const bad = await compose(['port', 'app', '81']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no port 81\/tcp for container cmds-app-1/);
  });

  test('top: one table, SERVICE and # first', async () => {
    const r = await compose(['top', 'app', 'db']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^SERVICE +# +UID +PID +PPID +C +STIME +TTY +TIME +CMD$/);
    assert.ok(rows.some((l) => /^app +1 +.*sleep 1000$/.test(l)), r.stdout);
    assert.ok(rows.some((l) => /^db +1 +.*sleep 1000$/.test(l)), r.stdout);
  });

  test('images: the image of every container', async () => {
    const r = await compose(['images']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$/);
    assert.deepEqual(rows.slice(1).map((l) => l.split(/ +/).slice(0, 3)), [['cmds-app-1', 'busybox', 'latest'], ['cmds-db-1', 'busybox', 'latest'], ['cmds-migrate-1', 'busybox', 'latest']]);
    const id = (await d.ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox'], 'docker')).trim().replace(/^sha256:/, '');
    assert.equal((await compose(['images', '-q'])).stdout, `${id}\n`);
  });

  test('cp both ways through the service name', async () => {
    const local = path.join(dir, 'note.txt');
    await fs.writeFile(local, 'copied in\n');
    const up = await compose(['cp', local, 'app:/tmp/note.txt']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal((await compose(['exec', '-T', 'app', 'cat', '/tmp/note.txt'])).stdout, 'copied in\n');
    const back = path.join(dir, 'back.txt');
    const down = await compose(['cp', 'app:/tmp/note.txt', back]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await fs.readFile(back, 'utf8'), 'copied in\n');
  });

  test('pause, unpause, stop, start, restart, kill, rm', async () => {
    const state = () => inspect('cmds-app-1', '{{.State.Status}}');
    let r = await compose(['pause', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Pausing\n Container cmds-app-1  Paused\n');
    assert.equal(await state(), 'paused');
    r = await compose(['unpause', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Unpausing\n Container cmds-app-1  Unpaused\n');
    assert.equal(await state(), 'running');
    r = await compose(['stop', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Stopping\n Container cmds-app-1  Stopped\n');
    assert.equal(await state(), 'exited');
    r = await compose(['start', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Starting\n Container cmds-app-1  Started\n');
    assert.equal(await state(), 'running');
    const before = await inspect('cmds-app-1', '{{.State.StartedAt}}');
    r = await compose(['restart', 'app']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(await inspect('cmds-app-1', '{{.State.StartedAt}}'), before);
    r = await compose(['kill', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Killing\n Container cmds-app-1  Killed\n');
    assert.equal(await state(), 'exited');
    r = await compose(['rm', '-f', 'app']);
    assert.equal(r.stderr, ' Container cmds-app-1  Removing\n Container cmds-app-1  Removed\n');
    assert.equal((await d.docker(['inspect', 'cmds-app-1'])).code, 1);
    assert.equal((await compose(['up', '-d', 'app'])).code, 0);
  });

  test('ls and version', async () => {
    const r = await compose(['ls']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^NAME +STATUS +CONFIG FILES$/);
    assert.deepEqual(rows.slice(1).map((l) => l.split(/ {2,}/)), [[P, 'running(2)', path.join(dir, 'compose.yaml')]]);
    const all = await compose(['ls', '-a', '--format', 'json']);
    assert.deepEqual(JSON.parse(all.stdout), [{ Name: P, Status: 'exited(1), running(2)', ConfigFiles: path.join(dir, 'compose.yaml') }]);
    assert.equal((await compose(['ls', '-q'])).stdout, `${P}\n`);
    assert.equal((await compose(['version', '--short'])).stdout, '2.29.0\n');
    assert.match((await compose(['version'])).stdout, /^Docker Compose version v2\.29\.0/);
  });

  test('a failed service_completed_successfully dependency stops up with its exit code', async () => {
    const fail = path.join(dir, 'fail');
    await fs.mkdir(fail);
    await fs.writeFile(path.join(fail, 'compose.yaml'), 'services:\n  init:\n    image: busybox\n    command: ["sh", "-c", "exit 3"]\n  main:\n    image: busybox\n    command: ["sleep", "100"]\n    depends_on:\n      init:\n        condition: service_completed_successfully\n');
    const r = await d.wharf(['compose', '-p', 'cmdsfail', '--project-directory', fail, 'up', '-d'], { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /service "init" didn't complete successfully: exit 3/);
    assert.equal((await d.docker(['inspect', 'cmdsfail-main-1'])).code, 1);
  });

  test('attached up: prefixed logs, exit lines, exit code from a service', async () => {
    const att = path.join(dir, 'attached');
    await fs.mkdir(att);
    await fs.writeFile(path.join(att, 'compose.yaml'), 'services:\n  a:\n    image: busybox\n    command: ["sh", "-c", "echo hello from a; sleep 30"]\n    stop_signal: SIGKILL\n  bb:\n    image: busybox\n    command: ["sh", "-c", "sleep 0.5; echo one; echo two >&2; exit 4"]\n');
    const r = await d.wharf(['compose', '-p', 'cmdsattached', '--project-directory', att, 'up', '--exit-code-from', 'bb'], { timeoutMs: 60_000 });
    assert.equal(r.code, 4, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'Attaching to a-1, bb-1');
    for (const l of ['a-1   | hello from a', 'bb-1  | one', 'bb-1  | two', 'bb-1 exited with code 4']) assert.ok(lines.includes(l), `${l} missing in\n${r.stdout}`);
  });

  test('up --abort-on-container-exit: the first exit stops the rest and gives the exit code', async () => {
    const at = path.join(dir, 'abort');
    await fs.mkdir(at);
    await fs.writeFile(path.join(at, 'compose.yaml'), 'services:\n  long:\n    image: busybox\n    command: ["sleep", "30"]\n    stop_signal: SIGKILL\n  short:\n    image: busybox\n    command: ["sh", "-c", "sleep 0.5; exit 5"]\n');
    const r = await d.wharf(['compose', '-p', 'cmdsabort', '--project-directory', at, 'up', '--abort-on-container-exit'], { timeoutMs: 60_000 });
    assert.equal(r.code, 5, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter((l) => /exited with code/.test(l)), ['short-1 exited with code 5']);
    assert.ok(r.stderr.includes('Aborting on container exit...\n Container cmdsabort-long-1  Stopping\n'), r.stderr);
    assert.equal(await inspect('cmdsabort-long-1', '{{.State.Status}}'), 'exited');
    const both = await d.wharf(['compose', '-p', 'cmdsabort', '--project-directory', at, 'up', '-d', '--abort-on-container-exit']);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, '--abort-on-container-exit and --detach are incompatible\n');
  });

  test('a recreate keeps anonymous volumes; -V renews them', async () => {
    const at = path.join(dir, 'vols');
    await fs.mkdir(at);
    const file = (v: string) => fs.writeFile(path.join(at, 'compose.yaml'), `services:\n  s:\n    image: busybox\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n    volumes: ["/anon"]\n    environment: {V: "${v}"}\n`);
    const vc = (args: string[]) => d.wharf(['compose', '-p', 'cmdsvols', '--project-directory', at, ...args], { timeoutMs: 60_000 });
    const anon = async () => (await inspect('cmdsvols-s-1', '{{range .Mounts}}{{.Name}}{{end}}'));
    await file('1');
    assert.equal((await vc(['up', '-d'])).code, 0);
    assert.equal((await vc(['exec', '-T', 's', 'sh', '-c', 'echo kept > /anon/f'])).code, 0);
    const first = await anon();
    assert.match(first, /^[0-9a-f]{64}$/);
    await file('2');
    const r = await vc(['up', '-d']);
    assert.match(r.stderr, / Container cmdsvols-s-1 {2}Recreated/);
    assert.equal(await anon(), first);
    assert.equal((await vc(['exec', '-T', 's', 'cat', '/anon/f'])).stdout, 'kept\n');
    const renew = await vc(['up', '-d', '-V', '--force-recreate']);
    assert.equal(renew.code, 0, renew.stderr);
    assert.notEqual(await anon(), first);
    assert.equal((await vc(['exec', '-T', 's', 'cat', '/anon/f'])).code, 1);
    assert.equal((await d.docker(['volume', 'inspect', first])).code, 1, 'the renewed volume is gone');
    // down -v removes an inherited anonymous volume too, though the container named it.
    const second = await anon();
    await file('3');
    assert.equal((await vc(['up', '-d'])).code, 0);
    assert.equal(await anon(), second);
    assert.equal((await vc(['down', '-v', '-t', '0'])).code, 0);
    assert.equal((await d.docker(['volume', 'inspect', second])).code, 1, 'down -v leaves no volume');
  });

  test('config --volumes; up --no-start; an orphan warned about, then removed with --remove-orphans', async () => {
    const at = path.join(dir, 'orph');
    await fs.mkdir(at);
    const oc = (args: string[]) => d.wharf(['compose', '-p', 'cmdsorph', '--project-directory', at, ...args], { timeoutMs: 60_000 });
    const svc = (n: string) => `  ${n}:\n    image: busybox\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n`;
    await fs.writeFile(path.join(at, 'compose.yaml'), `services:\n${svc('a')}${svc('b')}volumes:\n  v2: {}\n  v1: {}\n`);
    assert.equal((await oc(['config', '--volumes'])).stdout, 'v1\nv2\n');
    const created = await oc(['up', '--no-start']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await inspect('cmdsorph-a-1', '{{.State.Status}}'), 'created');
    assert.doesNotMatch(created.stderr, /Starting/);
    assert.equal((await oc(['up', '-d'])).code, 0);
    await fs.writeFile(path.join(at, 'compose.yaml'), `services:\n${svc('a')}`);
    const warned = await oc(['up', '-d']);
    assert.equal(warned.code, 0, warned.stderr);
    assert.ok(warned.stderr.includes('WARN[0000] Found orphan containers ([cmdsorph-b-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n'), warned.stderr);
    assert.equal(await inspect('cmdsorph-b-1', '{{.State.Status}}'), 'running');
    const removed = await oc(['up', '-d', '--remove-orphans']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(removed.stderr.includes(' Container cmdsorph-b-1  Removed\n'), removed.stderr);
    assert.equal((await d.docker(['inspect', 'cmdsorph-b-1'])).code, 1);
  });
});
