import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySpec } from './spec.js';
import { withDefaultMounts } from './spec_opts.js';
import { updateFlags, withResources, withRlimits, withShmSize } from './spec_resources.js';
import { parseBlkio, parseNetDev, parseProcCgroup, parseProcStat } from './cgroup-stats.js';
import { parseProcLimits } from './host-resources.js';

test('withResources keeps device rules; withRlimits; withShmSize on the tmpfs only', () => {
  const spec = emptySpec();
  spec.linux.resources.devices = [{ allow: false, access: 'rwm' }];
  withDefaultMounts()(spec);
  withResources({ memory: { limit: 1 }, cpu: {}, pids: { limit: 32 } })(spec);
  withRlimits([{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }])(spec);
  withShmSize(16 << 20)(spec);
  assert.deepEqual(spec.linux.resources, { devices: [{ allow: false, access: 'rwm' }], memory: { limit: 1 }, pids: { limit: 32 } });
  assert.deepEqual(spec.process.rlimits, [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 2 }]);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/dev/shm')?.options, ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${16 << 20}`]);
});

test('runc update flags', () => {
  assert.deepEqual(updateFlags({ memory: { limit: 10, swap: -1 }, cpu: { quota: 5, period: 100, shares: 2, cpus: '' }, pids: { limit: 3 } }), [
    '--memory=10', '--memory-swap=-1', '--cpu-period=100', '--cpu-quota=5', '--cpu-share=2', '--pids-limit=3',
  ]);
});

test('procfs / cgroupfs parsers', () => {
  assert.deepEqual(parseProcCgroup('4:memory:/w/x\n1:cpu,cpuacct:/w/x\n0::/\n'), { memory: '/w/x', cpu: '/w/x', cpuacct: '/w/x' });
  assert.deepEqual(parseBlkio('8:0 Read 4096\n8:0 Write 0\nTotal 4096\n'), [{ major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 0 }]);
  const net = parseNetDev('Inter-|   Receive\n face |bytes\n    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n  eth0: 100 2 0 0 0 0 0 0 200 3 0 0 0 0 0 0\n');
  assert.deepEqual(Object.keys(net), ['eth0']);
  assert.equal(net.eth0!.rx_bytes, 100);
  assert.equal(net.eth0!.tx_packets, 3);
  assert.deepEqual(parseProcStat('cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1\ncpu1 1\nintr 5\n'), { systemNs: 28 * 1e7, onlineCpus: 2 });
  const limits = parseProcLimits('Limit Soft Hard Units\nMax open files            1024                 4096                 files\nMax core file size        0                    unlimited            bytes\n');
  assert.deepEqual(limits, { nofile: 4096, core: Infinity });
});
