// What a container sees: its own PID, mount, IPC and UTS namespaces, an overlay root,
// /etc/hostname and /etc/hosts, --network none|host; and interactive terminals (-it)
// driven through `script` so the CLI has a real terminal.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { run, startDaemon, WHARF, type TestDaemon } from './harness.js';
import { CLIS, expectRun, inspect, ok, scoped, type Cli } from './containers-helpers.js';

let d: TestDaemon;
before(async () => { d = await startDaemon(); });
after(async () => { await d?.close(); });

const hostLinks = async (): Promise<string[]> => (await fs.readdir('/sys/class/net')).sort();

/** Runs a CLI command line under `script`, which gives it a pseudo-terminal. */
function underScript(c: Cli, args: string[], input: string) {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const prog = c === 'docker' ? 'docker' : `${quote(process.execPath)} ${quote(WHARF)}`;
  return run('script', ['-qec', `${prog} ${args.map(quote).join(' ')}`, '/dev/null'], { env: d.env, input, timeoutMs: 30_000 });
}

for (const c of CLIS) {
  describe(`isolation (${c})`, () => {
    test('the command is PID 1 and sees only its own processes', async () => {
      await expectRun(d, c, ['run', '--rm', 'busybox', 'sh', '-c', 'echo $$'], { stdout: '1\n' });
      await expectRun(d, c, ['run', '--rm', 'busybox', 'sh', '-c', 'ps -o pid,comm; true'], { stdout: /^PID\s+COMMAND\n\s+1 sh\n\s+\d+ ps\n$/ });
      // Nothing of the host: the test runner's own PID is not there.
      await expectRun(d, c, ['run', '--rm', 'busybox', 'sh', '-c', `test -e /proc/${process.pid} && echo visible || echo hidden`], { stdout: process.pid === 1 ? /./ : 'hidden\n' });
    });

    test('own mount, IPC, UTS and PID namespaces', async () => {
      const out = await ok(d, c, ['run', '--rm', 'busybox', 'sh', '-c', 'for n in mnt ipc uts pid; do readlink /proc/self/ns/$n; done']);
      const inside = out.trim().split('\n');
      assert.equal(inside.length, 4);
      for (const [i, n] of ['mnt', 'ipc', 'uts', 'pid'].entries()) {
        const host = await fs.readlink(`/proc/self/ns/${n}`);
        assert.match(inside[i] ?? '', new RegExp(`^${n}:\\[\\d+\\]$`));
        assert.notEqual(inside[i], host, `${n} namespace must differ from the host's`);
      }
    });

    test('the root is an overlay mount', async () => {
      await expectRun(d, c, ['run', '--rm', 'busybox', 'head', '-1', '/proc/mounts'], { stdout: /^overlay \/ overlay rw,/ });
    });

    test('hostname defaults to the short ID; /etc/hostname and /etc/hosts match', () => scoped(d, async (s) => {
      const name = s.name('hosts');
      const out = await ok(d, c, ['run', '--name', name, 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname; cat /etc/hosts']);
      const short = (await inspect(d, name)).Id.slice(0, 12);
      const [h1, h2, ...hosts] = out.split('\n');
      assert.equal(h1, short);
      assert.equal(h2, short);
      const text = hosts.join('\n');
      assert.match(text, /^127\.0\.0\.1\tlocalhost$/m);
      assert.match(text, /^::1\tlocalhost ip6-localhost ip6-loopback$/m);
      await expectRun(d, c, ['run', '--rm', '--hostname', 'web01', 'busybox', 'sh', '-c', 'hostname; cat /etc/hostname'], { stdout: 'web01\nweb01\n' });
    }));

    test('--network none has only lo; --network host sees the host\'s interfaces', () => scoped(d, async (s) => {
      await expectRun(d, c, ['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net'], { stdout: 'lo\n' });
      const host = await hostLinks();
      const out = await ok(d, c, ['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net']);
      assert.deepEqual(out.trim().split('\n').sort(), host);
      const name = s.name('netmode');
      await ok(d, c, ['create', '--name', name, '--network', 'none', 'busybox']);
      assert.equal((await inspect(d, name)).HostConfig.NetworkMode, 'none');
      // --network host shares the host's UTS namespace too: the host's name.
      const hn = (await fs.readFile('/proc/sys/kernel/hostname', 'utf8')).trim();
      await expectRun(d, c, ['run', '--rm', '--network', 'host', 'busybox', 'hostname'], { stdout: `${hn}\n` });
    }));
  });

  describe(`terminals (${c})`, () => {
    test('run -it: a terminal in, the exit code out', async () => {
      const r = await underScript(c, ['run', '--rm', '-it', 'busybox', 'sh', '-c', 'tty; read x; echo "got $x"; exit 3'], 'abc\n');
      assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /\/dev\/pts\/0\r\n/);
      assert.match(r.stdout, /got abc\r\n/);
    });

    test('exec -it', () => scoped(d, async (s) => {
      const name = s.name('execit');
      await ok(d, c, ['run', '-d', '--name', name, 'busybox', 'sleep', '100']);
      const r = await underScript(c, ['exec', '-it', name, 'sh', '-c', 'tty; read x; echo "got $x"'], 'xyz\n');
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /\/dev\/pts\/\d+\r\n/);
      assert.match(r.stdout, /got xyz\r\n/);
    }));
  });
}
