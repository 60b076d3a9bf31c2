// Docker's security defaults and the flags that change them, through the real docker CLI
// and wharf's CLI: capabilities, the default seccomp profile, masked and read-only /proc
// paths, --cap-add/--cap-drop, --privileged, --security-opt, --read-only/--tmpfs,
// --pid/--ipc, --init, and bad input refused before anything is created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxTar, run, startDaemon, type TestDaemon } from './harness.js';

type Cli = 'docker' | 'wharf';
const CLIS: Cli[] = ['docker', 'wharf'];
const hostCapBnd = /^CapBnd:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];

describe('security defaults', () => {
  let d: TestDaemon;
  let tmp: string;

  const sh = async (cli: Cli, flags: string[], script: string) => d[cli](['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
  const ok = async (cli: Cli, args: string[]) => {
    const r = await d[cli](args);
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const containerCount = async () => (await ok('docker', ['ps', '-aq'])).split('\n').filter(Boolean).length;

  before(async () => {
    d = await startDaemon();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-sec-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
    await d.close();
  });

  for (const cli of CLIS) {
    test(`${cli}: default container: CapEff a80425fb, Seccomp 2, mount and unshare refused, /proc/sys read-only, masked paths empty`, async () => {
      const r = await sh(cli, [], [
        'grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/self/status',
        'mkdir -p /mnt; mount -t tmpfs none /mnt 2>/dev/null; echo mount=$?',
        'unshare -m true 2>/dev/null; echo unshare=$?',
        'echo x > /proc/sys/kernel/domainname 2>/dev/null; echo procsys=$?',
        'echo timer_list=$(wc -c < /proc/timer_list) keys=$(wc -c < /proc/keys) interrupts=$(wc -c < /proc/interrupts)',
        'chown nobody /tmp; echo chown=$?',
      ].join('; '));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, [
        'CapEff:\t00000000a80425fb', 'CapBnd:\t00000000a80425fb', 'NoNewPrivs:\t0', 'Seccomp:\t2',
        'mount=1', 'unshare=1', 'procsys=1', 'timer_list=0 keys=0 interrupts=0', 'chown=0', '',
      ].join('\n'));
    });

    test(`${cli}: --cap-add SYS_ADMIN lets mount and unshare work; --cap-drop CHOWN stops chown`, async () => {
      const a = await sh(cli, ['--cap-add', 'SYS_ADMIN'], 'mkdir -p /mnt && mount -t tmpfs none /mnt && grep -c " /mnt tmpfs" /proc/mounts && unshare -m true && echo ok');
      assert.equal(a.stdout, '1\nok\n', a.stderr);
      const b = await sh(cli, ['--cap-drop', 'chown'], 'chown nobody /tmp; echo chown=$?; grep CapEff /proc/self/status');
      assert.equal(b.stdout, 'chown=1\nCapEff:\t00000000a80425fa\n', b.stderr);
      const id = (await ok(cli, ['create', '--cap-add', 'sys_admin', '--cap-drop', 'CAP_CHOWN', 'busybox'])).trim();
      assert.equal((await ok(cli, ['inspect', '-f', '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}}', id])).trim(), '["CAP_SYS_ADMIN"] ["CAP_CHOWN"]');
      await ok(cli, ['rm', id]);
    });

    test(`${cli}: --privileged has the host's bounding set, no seccomp, rw /sys`, async () => {
      const r = await sh(cli, ['--privileged'], 'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep -E "^sysfs /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1; test -e /dev/kmsg && echo devices');
      assert.equal(r.stdout, `CapEff:\t${hostCapBnd}\nSeccomp:\t0\nrw\ndevices\n`, r.stderr);
      const id = (await ok(cli, ['create', '--privileged', 'busybox'])).trim();
      assert.equal((await ok(cli, ['inspect', '-f', '{{.HostConfig.Privileged}}', id])).trim(), 'true');
      await ok(cli, ['rm', id]);
    });

    test(`${cli}: --security-opt seccomp=<file> blocking mkdir; seccomp=unconfined`, async () => {
      const file = path.join(tmp, `nomkdir-${cli}.json`);
      await fs.writeFile(file, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }, null, 2));
      const r = await sh(cli, ['--security-opt', `seccomp=${file}`], 'mkdir /tmp/x; echo mkdir=$?; touch /tmp/y && echo touch=ok');
      assert.equal(r.stdout, 'mkdir=1\ntouch=ok\n');
      assert.match(r.stderr, /Operation not permitted/);
      const u = await sh(cli, ['--security-opt', 'seccomp=unconfined'], 'grep Seccomp: /proc/self/status');
      assert.equal(u.stdout, 'Seccomp:\t0\n');
    });

    test(`${cli}: --read-only refuses writes to / but --tmpfs is writable with its options`, async () => {
      const r = await sh(cli, ['--read-only', '--tmpfs', '/tmp', '--tmpfs', '/run:size=1m,mode=700'],
        'touch /x 2>/dev/null; echo root=$?; touch /tmp/x && echo tmp=ok; grep -E " /(tmp|run) " /proc/mounts | cut -d" " -f2-4 | sort');
      assert.equal(r.stdout, 'root=1\ntmp=ok\n/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=700\n/tmp tmpfs rw,nosuid,nodev,noexec,relatime\n', r.stderr);
    });

    test(`${cli}: --init reaps an orphaned zombie; without it the zombie stays`, async () => {
      // PID 1 ends up as `sleep 5`, which never waits: only an init reaps the orphan.
      const zombies = async (flags: string[]) => {
        const id = (await ok(cli, ['run', '-d', ...flags, 'busybox', 'sh', '-c', '(sleep 0.1 &) ; exec sleep 5'])).trim();
        try {
          await new Promise((r) => setTimeout(r, 1000));
          return (await ok(cli, ['exec', id, 'ps', '-o', 'stat,comm'])).split('\n').filter((l) => l.startsWith('Z')).length;
        } finally {
          await d[cli](['rm', '-f', id]);
        }
      };
      assert.equal(await zombies(['--init']), 0);
      assert.equal(await zombies([]), 1, 'without --init the probe leaves a zombie');
      const pid1 = await sh(cli, ['--init'], 'cat /proc/1/cmdline | tr "\\0" " "');
      assert.equal(pid1.stdout, '/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr "\\0" " " ');
    });

    test(`${cli}: bad input is refused and nothing is created`, async () => {
      const before = await containerCount();
      const cases: [string[], RegExp, number?][] = [
        [['--cap-add', 'FOO'], /invalid CapAdd: unknown capability: "CAP_FOO"/],
        [['--cap-add', 'SYS_RESOURCE'], /capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"/],
        [['--security-opt', `seccomp=${tmp}/missing.json`], /opening seccomp profile \(.*missing\.json\) failed: /],
        [['--security-opt', 'foo'], /Invalid --security-opt: "foo"/],
        [['--device', '/dev/nope'], /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/, 127], // docker's CLI: 127 for "no such file"
        [['--device', '/dev/null:rel'], /rel is not an absolute path/],
        [['--ipc', 'bogus'], /invalid IPC mode: bogus/],
      ];
      for (const [flags, message, code = 125] of cases) {
        const r = await d[cli](['run', '--rm', ...flags, 'busybox', 'true']);
        assert.equal(r.code, code, `${flags.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      assert.equal(await containerCount(), before);
    });
  }

  test('API: a seccomp profile that is not JSON is a 400 from the daemon', async () => {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { SecurityOpt: ['seccomp={nope'] } });
    assert.equal(r.status, 400);
    assert.match((r.json as { message: string }).message, /^Decoding seccomp profile failed: /);
  });

  // The probe is a static C program (gcc + libc6-dev): busybox drops setuid rights itself.
  const gcc = run('gcc', ['--version']).then((r) => r.code === 0, () => false);
  test('no-new-privileges stops a setuid-root binary from raising the effective uid', async (t) => {
    if (!(await gcc)) return t.skip('gcc not installed');
    const root = path.join(tmp, 'suid');
    await fs.mkdir(root);
    execFileSync('tar', ['-xf', await busyboxTar(), '-C', root]);
    await fs.writeFile(path.join(tmp, 'euid.c'), '#include <stdio.h>\n#include <unistd.h>\nint main(void){printf("%d\\n",(int)geteuid());return 0;}\n');
    execFileSync('gcc', ['-static', '-O2', '-o', path.join(root, 'bin/euid'), path.join(tmp, 'euid.c')]);
    await fs.chmod(path.join(root, 'bin/euid'), 0o4755);
    const tar = path.join(tmp, 'suid.tar');
    execFileSync('tar', ['--numeric-owner', '-cf', tar, '-C', root, '.']);
    await ok('docker', ['import', tar, 'suid:latest']);
    const plain = await ok('docker', ['run', '--rm', '-u', 'nobody', 'suid', '/bin/euid']);
    assert.equal(plain, '0\n', 'the probe really is setuid root');
    for (const cli of CLIS) {
      const r = await ok(cli, ['run', '--rm', '-u', 'nobody', '--security-opt', 'no-new-privileges', 'suid', 'sh', '-c', 'grep NoNewPrivs /proc/self/status; /bin/euid']);
      assert.equal(r, 'NoNewPrivs:\t1\n65534\n');
    }
    await ok('docker', ['rmi', 'suid']);
  });

  test('--pid host sees host processes; --ipc container:X shares its /dev/shm; inspect shows the modes', async () => {
    const host = await d.docker(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', `test -d /proc/${process.pid} && echo seen`]);
    assert.equal(host.stdout, 'seen\n', host.stderr);
    await ok('docker', ['run', '-d', '--name', 'donor', '--ipc', 'shareable', 'busybox', 'sh', '-c', 'echo hello > /dev/shm/note; sleep 60']);
    try {
      const written = async () => (await d.docker(['exec', 'donor', 'test', '-f', '/dev/shm/note'])).code === 0;
      for (let i = 0; i < 50 && !(await written()); i++) await new Promise((r) => setTimeout(r, 50));
      for (const cli of CLIS) {
        const r = await d[cli](['run', '--rm', '--ipc', 'container:donor', 'busybox', 'cat', '/dev/shm/note']);
        assert.equal(r.stdout, 'hello\n', r.stderr);
      }
      const donorIpc = (await ok('docker', ['inspect', '-f', '{{.HostConfig.IpcMode}}', 'donor'])).trim();
      assert.equal(donorIpc, 'shareable');
      const id = (await ok('wharf', ['create', '--pid', 'host', '--uts', 'host', '--ipc', 'container:donor', '--init', '--read-only', '--group-add', '123', 'busybox'])).trim();
      const view = (await ok('docker', ['inspect', '-f', '{{.HostConfig.PidMode}} {{.HostConfig.UTSMode}} {{.HostConfig.IpcMode}} {{.HostConfig.Init}} {{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.GroupAdd}}', id])).trim();
      assert.equal(view, 'host host container:donor true true ["123"]');
      await ok('docker', ['rm', id]);
    } finally {
      await d.docker(['rm', '-f', 'donor']);
    }
  });

  test('private IPC (the default) is recorded as Docker records it', async () => {
    const id = (await ok('docker', ['create', 'busybox'])).trim();
    assert.equal((await ok('docker', ['inspect', '-f', '{{.HostConfig.IpcMode}}', id])).trim(), 'private');
    await ok('docker', ['rm', id]);
  });
});
