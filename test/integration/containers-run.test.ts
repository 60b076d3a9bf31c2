// `run` options and exit codes through the docker CLI and wharf's CLI: -d -i -t --rm
// --name -e --env-file -w -u --entrypoint --hostname --label, and the 125/126/127 codes.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type TestDaemon } from './harness.js';
import { CLIS, DEFAULT_PATH, expectRun, inspect, ok, scoped } from './containers-helpers.js';

let d: TestDaemon;
let envFile: string;
before(async () => {
  d = await startDaemon();
  envFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-env-')), 'env');
  await fs.writeFile(envFile, '# a comment\nFROM_FILE=one\n\nSPACED=a b c\n');
});
after(async () => {
  await fs.rm(path.dirname(envFile), { recursive: true, force: true });
  await d?.close();
});

for (const c of CLIS) {
  describe(`run (${c})`, () => {
    test('attached run prints stdout and stderr apart and returns the exit code', async () => {
      await expectRun(d, c, ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3'], { code: 3, stdout: 'out\n', stderr: 'err\n' });
      await expectRun(d, c, ['run', '--rm', 'busybox', 'true'], { stdout: '' });
    });

    test('-d prints the full ID; the container runs in the background', () => scoped(d, async (s) => {
      const id = s.track(await ok(d, c, ['run', '-d', 'busybox', 'sleep', '100']));
      assert.match(id, /^[0-9a-f]{64}$/);
      const st = await inspect(d, id);
      assert.equal(st.State.Running, true);
      assert.ok(st.State.Pid > 0);
      assert.equal(st.HostConfig.AutoRemove, false);
    }));

    test('-i passes stdin and its EOF; without -i stdin is not attached', async () => {
      await expectRun(d, c, ['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], { stdout: 'line1\nline2\ndone\n' }, { input: 'line1\nline2\n' });
      await expectRun(d, c, ['run', '--rm', 'busybox', 'sh', '-c', 'cat; echo done'], { stdout: 'done\n' }, { input: 'ignored\n' });
      await expectRun(d, c, ['run', '--rm', '-i', 'busybox', 'wc', '-c'], { stdout: /^\s*0\n$/ }, { input: '' });
    });

    test('-t gives a terminal: /dev/pts/0 and CRLF output', async () => {
      await expectRun(d, c, ['run', '--rm', '-t', 'busybox', 'tty'], { stdout: '/dev/pts/0\r\n' });
      await expectRun(d, c, ['run', '--rm', 'busybox', 'tty'], { code: 1, stdout: 'not a tty\n' });
      // With a TTY stderr is merged into the one stream.
      await expectRun(d, c, ['run', '--rm', '-t', 'busybox', 'sh', '-c', 'echo e >&2'], { stdout: 'e\r\n' });
    });

    test('--name names the container; Name has the leading slash', () => scoped(d, async (s) => {
      const name = s.name('named');
      await ok(d, c, ['run', '--name', name, 'busybox', 'true']);
      const st = await inspect(d, name);
      assert.equal(st.Name, `/${name}`);
      assert.equal(st.State.Status, 'exited');
      assert.equal(st.State.ExitCode, 0);
    }));

    test('-e and --env-file: set, inherited from the CLI environment, PATH defaulted', async () => {
      const env = ['run', '--rm', '-e', 'A=1', '-e', 'B=x=y', '-e', 'EMPTY=', '--env-file', envFile, 'busybox', 'env'];
      const r = await expectRun(d, c, env, { stdout: /A=1\n/ });
      const lines = r.stdout.split('\n').filter(Boolean).sort();
      assert.deepEqual(lines, ['A=1', 'B=x=y', 'EMPTY=', 'FROM_FILE=one', 'HOME=/root', 'HOSTNAME=' + (lines.find((l) => l.startsWith('HOSTNAME='))?.slice(9) ?? ''), DEFAULT_PATH, 'SPACED=a b c'].sort());
      assert.match(lines.find((l) => l.startsWith('HOSTNAME=')) ?? '', /^HOSTNAME=[0-9a-f]{12}$/);
      // `-e NAME` without a value takes it from the CLI's environment, or drops it.
      const prev = d.env.WHARF_IT_PASS;
      d.env.WHARF_IT_PASS = 'passed';
      try {
        await expectRun(d, c, ['run', '--rm', '-e', 'WHARF_IT_PASS', '-e', 'WHARF_IT_UNSET_X', 'busybox', 'sh', '-c', 'echo "$WHARF_IT_PASS ${WHARF_IT_UNSET_X-unset}"'], { stdout: 'passed unset\n' });
      } finally {
        if (prev === undefined) delete d.env.WHARF_IT_PASS; else d.env.WHARF_IT_PASS = prev;
      }
    });

    test('-w sets the working directory, creating it', async () => {
      await expectRun(d, c, ['run', '--rm', '-w', '/tmp', 'busybox', 'pwd'], { stdout: '/tmp\n' });
      await expectRun(d, c, ['run', '--rm', '-w', '/new/dir', 'busybox', 'pwd'], { stdout: '/new/dir\n' });
    });

    test('-u by name, uid, uid:gid', async () => {
      await expectRun(d, c, ['run', '--rm', '-u', 'nobody', 'busybox', 'id'], { stdout: 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n' });
      await expectRun(d, c, ['run', '--rm', '-u', '1000:1000', 'busybox', 'sh', '-c', 'id -u; id -g'], { stdout: '1000\n1000\n' });
      await expectRun(d, c, ['run', '--rm', '-u', '0', 'busybox', 'id', '-u'], { stdout: '0\n' });
      await expectRun(d, c, ['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true'], { code: 125, stderr: "{prog}: Error response from daemon: unable to find user nosuchuser: no matching entries in passwd file\n\nRun '{prog} run --help' for more information\n" });
    });

    test('--entrypoint replaces the entrypoint; args follow it', async () => {
      await expectRun(d, c, ['run', '--rm', '--entrypoint', 'echo', 'busybox', 'a', 'b'], { stdout: 'a b\n' });
      await expectRun(d, c, ['run', '--rm', '--entrypoint', '/bin/sh', 'busybox', '-c', 'echo $0'], { stdout: '/bin/sh\n' });
    });

    test('--hostname sets hostname and /etc/hostname; default is the short ID', () => scoped(d, async (s) => {
      await expectRun(d, c, ['run', '--rm', '--hostname', 'box.example', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname'], { stdout: 'box.example\nbox.example\n' });
      const name = s.name('hn');
      const out = await ok(d, c, ['run', '--name', name, 'busybox', 'hostname']);
      const id = (await inspect(d, name)).Id;
      assert.equal(out, `${id.slice(0, 12)}\n`);
      assert.equal((await inspect(d, name)).Config.Hostname, id.slice(0, 12));
    }));

    test('--label is stored and filterable', () => scoped(d, async (s) => {
      const name = s.name('lbl');
      await ok(d, c, ['run', '-d', '--name', name, '--label', 'a=b', '--label', 'flag', 'busybox', 'sleep', '100']);
      assert.deepEqual((await inspect(d, name)).Config.Labels, { a: 'b', flag: '' });
      await expectRun(d, c, ['ps', '--filter', 'label=a=b', '--format', '{{.Names}} {{.Label "a"}}'], { stdout: `${name} b\n` });
    }));

    test('exit codes: 125 unknown flag / no such image / bad name, 126 not executable, 127 not found', async () => {
      await expectRun(d, c, ['run', '--bogus', 'busybox'], { code: 125, stderr: "unknown flag: --bogus\n\nUsage:  {prog} run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun '{prog} run --help' for more information\n" });
      await expectRun(d, c, ['run', '--rm', 'busybox', '/etc/passwd'], { code: 126, stderr: /^\S+: Error response from daemon: .*exec: "\/etc\/passwd": permission denied: unknown\n\nRun '\S+ run --help' for more information\n$/ });
      await expectRun(d, c, ['run', '--rm', 'busybox', 'nosuchcmd'], { code: 127, stderr: /exec: "nosuchcmd": executable file not found in \$PATH: unknown\n\nRun '\S+ run --help' for more information\n$/ });
      await expectRun(d, c, ['run', '--rm', 'busybox', '/bin'], { code: 126 });
      await expectRun(d, c, ['run', '--name', 'bad/name', 'busybox'], { code: 125, stderr: `{prog}: Error response from daemon: Invalid container name (bad/name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n\nRun '{prog} run --help' for more information\n` });
      const r = await expectRun(d, c, ['run', '--rm', 'wharf-it-no-such-image'], { code: 125 });
      assert.match(r.stderr, /^Unable to find image 'wharf-it-no-such-image:latest' locally\n/);
    });

    test('a failed start leaves an Exited (127) container behind, --rm one removed', async () => {
      const before = (await d.api('GET', '/containers/json?all=1')).json as unknown[];
      await expectRun(d, c, ['run', '--rm', 'busybox', 'nosuchcmd'], { code: 127 });
      assert.equal(((await d.api('GET', '/containers/json?all=1')).json as unknown[]).length, before.length);
    });

    test('invalid --restart policy is refused by the daemon (125)', async () => {
      await expectRun(d, c, ['run', '-d', '--restart', 'bogus', 'busybox'], { code: 125, stderr: `{prog}: Error response from daemon: invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'\n\nRun '{prog} run --help' for more information\n` });
    });
  });
}
