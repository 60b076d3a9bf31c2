// exec (-i -t -d -e -w -u), attach, top and logs (-f --tail --since --until -t) through
// both CLIs; stdout and stderr are checked apart.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { startDaemon, WHARF, type TestDaemon } from './harness.js';
import { CLIS, expectRun, inspect, ok, scoped, sleep, waitFor, waitStatus, type Cli } from './containers-helpers.js';

let d: TestDaemon;
let box = ''; // one long-running container for the exec tests
before(async () => {
  d = await startDaemon();
  box = `exec-box-${process.pid}`;
  await ok(d, 'docker', ['run', '-d', '--name', box, '-e', 'FROM_RUN=1', 'busybox', 'sleep', '1000']);
});
after(async () => {
  await d?.api('DELETE', `/containers/${box}?force=1`);
  await d?.close();
});

/** Starts a CLI without waiting for it: for `logs -f` and `attach`. */
function startCli(which: Cli, args: string[]) {
  const [cmd, argv] = which === 'docker' ? ['docker', args] : [process.execPath, [WHARF, ...args]];
  const child = spawn(cmd, argv, { env: d.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
  return { child, done, out: () => stdout, err: () => stderr };
}

for (const c of CLIS) {
  describe(`exec (${c})`, () => {
    test('runs in the container with its env; -e -w -u override', async () => {
      await expectRun(d, c, ['exec', box, 'sh', '-c', 'echo $FROM_RUN; pwd; id -u'], { stdout: '1\n/\n0\n' });
      await expectRun(d, c, ['exec', '-e', 'FROM_RUN=2', '-e', 'NEW=x', '-w', '/tmp', '-u', 'nobody', box, 'sh', '-c', 'echo $FROM_RUN $NEW; pwd; id'], { stdout: '2 x\n/tmp\nuid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n' });
      await expectRun(d, c, ['exec', '-u', '1000:1000', box, 'id'], { stdout: 'uid=1000 gid=1000 groups=1000\n' });
    });

    test('exit code, stderr apart, 126/127', async () => {
      await expectRun(d, c, ['exec', box, 'sh', '-c', 'echo o; echo e >&2; exit 4'], { code: 4, stdout: 'o\n', stderr: 'e\n' });
      await expectRun(d, c, ['exec', box, 'nosuchcmd'], { code: 127, stdout: /exec: "nosuchcmd": executable file not found in \$PATH/ , stderr: '' });
      await expectRun(d, c, ['exec', box, '/etc/passwd'], { code: 126, stdout: /permission denied/, stderr: '' });
    });

    test('-i feeds stdin and its EOF (also an immediate EOF)', async () => {
      await expectRun(d, c, ['exec', '-i', box, 'tr', 'a-z', 'A-Z'], { stdout: 'ABC\n' }, { input: 'abc\n' });
      await expectRun(d, c, ['exec', '-i', box, 'wc', '-c'], { stdout: /^\s*0\n$/ }, { input: '', timeoutMs: 15_000 });
    });

    test('-t allocates a terminal; -d returns at once and the process keeps running', async () => {
      await expectRun(d, c, ['exec', '-t', box, 'tty'], { stdout: /^\/dev\/pts\/\d+\r\n$/ });
      await expectRun(d, c, ['exec', '-d', box, 'sh', '-c', `sleep 0.3; echo done > /tmp/detached-${c}`], { stdout: '' });
      await waitFor('the detached exec', async () => (await cli_cat(c, `/tmp/detached-${c}`)) === 'done\n');
    });

    test('exec in a stopped container and in a missing one', () => scoped(d, async (s) => {
      const name = s.name('stopped');
      await ok(d, c, ['create', '--name', name, 'busybox']);
      const id = (await inspect(d, name)).Id;
      await expectRun(d, c, ['exec', name, 'true'], { code: 1, stderr: `Error response from daemon: Container ${id} is not running\n` });
      await expectRun(d, c, ['exec', 'no-such-exec-x', 'true'], { code: 1, stderr: 'Error response from daemon: No such container: no-such-exec-x\n' });
    }));

    test('top lists the container\'s processes', async () => {
      const r = await ok(d, c, ['top', box]);
      const lines = r.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
      assert.equal(lines.length, 2, r);
      assert.match(lines[1] ?? '', /^root\s+\d+\s+\d+\s+\d+\s+\S+\s+\S+\s+\S+\s+sleep 1000$/);
      await expectRun(d, c, ['top', box, '-o', 'pid,comm'], { stdout: /^PID\s+COMMAND\n\d+\s+sleep\n$/ });
    });
  });

  describe(`attach (${c})`, () => {
    test('attach streams output until the container exits and returns its code', () => scoped(d, async (s) => {
      const name = s.name('att');
      await ok(d, c, ['run', '-d', '-i', '--name', name, 'busybox', 'sh', '-c', 'read x; echo "out $x"; echo err >&2; exit 6']);
      const p = startCli(c, ['attach', name]);
      await sleep(500);
      // stdin stays open: Docker ends an attach (output included) when a client's stdin
      // ends on a container without StdinOnce.
      p.child.stdin.write('hello\n');
      assert.equal(await p.done, 6);
      p.child.stdin.end();
      assert.equal(p.out(), 'out hello\n');
      assert.equal(p.err(), 'err\n');
    }));

    test('attach to a stopped container fails', () => scoped(d, async (s) => {
      const name = s.name('att2');
      await ok(d, c, ['create', '--name', name, 'busybox']);
      await expectRun(d, c, ['attach', name], { code: 1, stderr: 'You cannot attach to a stopped container, start it first\n' });
    }));
  });

  describe(`logs (${c})`, () => {
    test('stdout and stderr stay apart; --tail; -t prefixes RFC3339Nano times', () => scoped(d, async (s) => {
      const name = s.name('lg');
      await expectRun(d, c, ['run', '--name', name, 'busybox', 'sh', '-c', 'echo o1; echo e1 >&2; echo o2; echo e2 >&2; sleep 0.1; echo o3'], { stdout: 'o1\no2\no3\n', stderr: 'e1\ne2\n' });
      await expectRun(d, c, ['logs', name], { stdout: 'o1\no2\no3\n', stderr: 'e1\ne2\n' });
      // Lines written in one burst to two pipes have no defined order between the streams
      // (Docker's copiers race too); o3 comes 100 ms later, so it is the last line.
      await expectRun(d, c, ['logs', '--tail', '1', name], { stdout: 'o3\n', stderr: '' });
      const tail2 = await cli_all(c, ['logs', '--tail', '2', name]);
      assert.equal(tail2.stdout.split('\n').filter(Boolean).length + tail2.stderr.split('\n').filter(Boolean).length, 2);
      assert.match(tail2.stdout, /o3\n$/);
      await expectRun(d, c, ['logs', '--tail', '0', name], { stdout: '', stderr: '' });
      await expectRun(d, c, ['logs', '--tail', 'all', name], { stdout: 'o1\no2\no3\n', stderr: 'e1\ne2\n' });
      const t = await cli_all(c, ['logs', '-t', name]);
      for (const line of t.stdout.trimEnd().split('\n')) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z o\d$/);
      for (const line of t.stderr.trimEnd().split('\n')) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z e\d$/);
    }));

    test('--since and --until select by time', () => scoped(d, async (s) => {
      const name = s.name('lgt');
      await ok(d, c, ['run', '--name', name, 'busybox', 'sh', '-c', 'echo early; sleep 1.2; echo late']);
      const stamps = (await ok(d, c, ['logs', '-t', name])).trimEnd().split('\n').map((l) => l.split(' ')[0] as string);
      assert.equal(stamps.length, 2);
      const mid = new Date((Date.parse(stamps[0]!) + Date.parse(stamps[1]!)) / 2).toISOString();
      await expectRun(d, c, ['logs', '--since', mid, name], { stdout: 'late\n' });
      await expectRun(d, c, ['logs', '--until', mid, name], { stdout: 'early\n' });
      await expectRun(d, c, ['logs', '--since', '1h', name], { stdout: 'early\nlate\n' });
      await expectRun(d, c, ['logs', '--until', '2000-01-01T00:00:00Z', name], { stdout: '' });
    }));

    test('-f follows until the container exits', () => scoped(d, async (s) => {
      const name = s.name('lgf');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo first; sleep 0.8; echo second; echo err >&2']);
      const p = startCli(c, ['logs', '-f', name]);
      await waitFor('first line', async () => p.out() === 'first\n');
      assert.equal(await p.done, 0);
      assert.equal(p.out(), 'first\nsecond\n');
      assert.equal(p.err(), 'err\n');
      await waitStatus(d, name, 'exited');
    }));

    test('logs of a missing container', async () => {
      await expectRun(d, c, ['logs', 'no-such-logs-x'], { code: 1, stderr: 'Error response from daemon: No such container: no-such-logs-x\n' });
    });
  });
}

async function cli_cat(c: Cli, file: string): Promise<string> {
  return (await cli_all(c, ['exec', box, 'cat', file])).stdout;
}

async function cli_all(c: Cli, args: string[]) {
  return c === 'docker' ? d.docker(args) : d.wharf(args);
}
