// Resource limits: every run flag checked in the container's cgroup files on the host
// (where /proc/<pid>/cgroup says it is) and inside the container (/sys/fs/cgroup/<ctl>);
// OOM kill → 137 + OOMKilled + `oom` event; a fork bomb contained by --pids-limit;
// `update` applied live; bad values refused with Docker's messages and nothing created.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDaemon, type TestDaemon } from './harness.js';

const MiB = 1024 * 1024;

describe('resource limits', () => {
  let d: TestDaemon;
  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => (await d.ok(args, cli)).trim();
  /** Reads `<controller>/<file>` of a running container's cgroup from the host. */
  const hostCgroup = async (name: string, controller: string, file: string) => {
    const pid = await ok(['inspect', '-f', '{{.State.Pid}}', name]);
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1]!.split(',').includes(controller));
    assert.ok(line, `no ${controller} cgroup for ${name}`);
    return readFileSync(`/sys/fs/cgroup/${controller}${line.split(':')[2]}/${file}`, 'utf8').trim();
  };
  const inside = (name: string, controller: string, file: string) => ok(['exec', name, 'cat', `/sys/fs/cgroup/${controller}/${file}`]);
  const both = async (name: string, controller: string, file: string, want: string) => {
    assert.equal(await hostCgroup(name, controller, file), want, `host ${controller}/${file}`);
    assert.equal(await inside(name, controller, file), want, `inside ${controller}/${file}`);
  };

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('run flags land in the cgroup files, host side and inside, and in inspect', async () => {
    await ok(['run', '-d', '--name', 'lim', '-m', '64m', '--memory-reservation', '32m', '--cpus', '0.5', '--cpu-shares', '512',
      '--cpuset-cpus', '1', '--pids-limit', '32', '--blkio-weight', '300', '--ulimit', 'nofile=1024:2048', '--shm-size', '16m',
      'busybox', 'sleep', '300']);
    await both('lim', 'memory', 'memory.limit_in_bytes', String(64 * MiB));
    await both('lim', 'memory', 'memory.memsw.limit_in_bytes', String(128 * MiB));
    await both('lim', 'memory', 'memory.soft_limit_in_bytes', String(32 * MiB));
    await both('lim', 'cpu', 'cpu.cfs_quota_us', '50000');
    await both('lim', 'cpu', 'cpu.cfs_period_us', '100000');
    await both('lim', 'cpu', 'cpu.shares', '512');
    await both('lim', 'cpuset', 'cpuset.cpus', '1');
    await both('lim', 'pids', 'pids.max', '32');
    // BFQ's file reads "300" or "default 300" depending on the kernel.
    assert.match(await hostCgroup('lim', 'blkio', 'blkio.bfq.weight'), /^(default )?300$/);
    assert.match(await inside('lim', 'blkio', 'blkio.bfq.weight'), /^(default )?300$/);
    assert.equal(await ok(['exec', 'lim', 'sh', '-c', 'ulimit -n; ulimit -Hn']), '1024\n2048');
    assert.match(await ok(['exec', 'lim', 'df', '-k', '/dev/shm']), /shm\s+16384\s/);
    const hc = JSON.parse(await ok(['inspect', '-f', '{{json .HostConfig}}', 'lim']));
    assert.deepEqual(
      [hc.Memory, hc.MemorySwap, hc.MemoryReservation, hc.NanoCpus, hc.CpuShares, hc.CpusetCpus, hc.PidsLimit, hc.BlkioWeight, hc.ShmSize, hc.OomKillDisable],
      [64 * MiB, 128 * MiB, 32 * MiB, 5e8, 512, '1', 32, 300, 16 * MiB, false],
    );
    assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Hard: 2048, Soft: 1024 }]);
    await ok(['rm', '-f', 'lim']);
  });

  test('--cpu-period/--cpu-quota, --memory-swap and --oom-kill-disable (wharf CLI)', async () => {
    await ok(['run', '-d', '--name', 'lim2', '--cpu-period', '50000', '--cpu-quota', '25000', '-m', '32m', '--memory-swap', '48m', '--oom-kill-disable', 'busybox', 'sleep', '300'], 'wharf');
    await both('lim2', 'cpu', 'cpu.cfs_period_us', '50000');
    await both('lim2', 'cpu', 'cpu.cfs_quota_us', '25000');
    await both('lim2', 'memory', 'memory.memsw.limit_in_bytes', String(48 * MiB));
    assert.match(await hostCgroup('lim2', 'memory', 'memory.oom_control'), /^oom_kill_disable 1$/m);
    await ok(['rm', '-f', 'lim2']);
  });

  test('OOM: exit 137, State.OOMKilled true, an oom event before die', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const r = await d.docker(['run', '--name', 'oom', '-m', '16m', 'busybox', 'sh', '-c', 'exec tail /dev/zero']);
    assert.equal(r.code, 137, r.stderr);
    assert.equal(await ok(['inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', 'oom']), '137 true');
    const ev = await ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=oom', '--format', '{{.Action}}']);
    const actions = ev.split('\n');
    assert.ok(actions.includes('oom'), ev);
    assert.ok(actions.indexOf('oom') < actions.indexOf('die'), ev);
    await ok(['rm', 'oom']);
    await ok(['run', '--name', 'nooom', '-m', '16m', 'busybox', 'true']);
    assert.equal(await ok(['inspect', '-f', '{{.State.OOMKilled}}', 'nooom']), 'false');
    await ok(['rm', 'nooom']);
  });

  test('a fork bomb under --pids-limit 32 is contained, and the container can be removed', async () => {
    await ok(['run', '-d', '--name', 'bomb', '--pids-limit', '32', 'busybox', 'sleep', '300']);
    // busybox sh gives up at the first refused fork; what it started stays, up to the limit.
    await ok(['exec', '-d', 'bomb', 'sh', '-c', 'while :; do sleep 300 & done']);
    let current = 0;
    for (let i = 0; i < 50 && current < 32; i++) {
      current = Number(await hostCgroup('bomb', 'pids', 'pids.current'));
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(current <= 32 && current >= 30, `pids.current ${current}`);
    assert.ok(Number(await hostCgroup('bomb', 'pids', 'pids.events').then((t) => t.split(' ')[1])) > 0, 'forks were refused');
    await ok(['rm', '-f', 'bomb']);
  });

  test('update changes memory, cpus, pids and the restart policy of a running container', async () => {
    await ok(['run', '-d', '--name', 'upd', '-m', '64m', 'busybox', 'sleep', '300']);
    await ok(['update', '--memory', '96m', '--memory-swap', '192m', '--cpus', '1.5', '--pids-limit', '50', '--restart', 'on-failure:3', 'upd']);
    await both('upd', 'memory', 'memory.limit_in_bytes', String(96 * MiB));
    await both('upd', 'memory', 'memory.memsw.limit_in_bytes', String(192 * MiB));
    await both('upd', 'cpu', 'cpu.cfs_quota_us', '150000');
    await both('upd', 'pids', 'pids.max', '50');
    assert.equal(await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'upd']),
      `${96 * MiB} 1500000000 50 on-failure:3`);
    assert.equal(await ok(['update', '--cpus', '1', 'upd'], 'wharf'), 'upd');
    await both('upd', 'cpu', 'cpu.cfs_quota_us', '100000');
    const bad = await d.docker(['update', '--memory', '512m', 'upd']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time/);
    await both('upd', 'memory', 'memory.limit_in_bytes', String(96 * MiB));
    await ok(['rm', '-f', 'upd']);
  });

  const refused: [string[], RegExp][] = [
    [['--memory', 'abc'], /invalid argument "abc" for "-m, --memory" flag: invalid size: 'abc'/],
    [['--cpus', '-1'], /Range of CPUs is from 0\.01 to \d+\.00, as there are only \d+ CPUs available/],
    [['--cpuset-cpus', '99'], /Requested CPUs are not available - requested 99, available: 0-\d+/],
    [['--memory', '4m'], /Minimum memory limit allowed is 6MB/],
    [['-m', '64m', '--memory-swap', '32m'], /Minimum memoryswap limit should be larger than memory limit, see usage/],
    [['--ulimit', 'nofile=99999999:99999999'], /invalid ulimit nofile=99999999:99999999: hard limit is above the daemon's own hard limit/],
    [['--ulimit', 'nofile=20:10'], /ulimit soft limit must be less than or equal to hard limit: 20 > 10/],
    [['--blkio-weight', '5'], /Range of blkio weight is from 10 to 1000/],
  ];
  for (const [flags, message] of refused) {
    for (const cli of ['docker', 'wharf'] as const) {
      test(`${cli} run ${flags.join(' ')} is refused and creates nothing`, async () => {
        const r = await d[cli](['run', '--name', 'never', ...flags, 'busybox', 'true']);
        assert.equal(r.code, 125, r.stderr);
        assert.match(r.stderr, message);
        assert.equal(await ok(['ps', '-aq']), '');
      });
    }
  }
});
