import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './flags.js';
import { parseNanoCpus, parseUlimit, ramInBytes, resourceFlags, resourceHostConfig } from './resource-options.js';

test('go-units RAMInBytes', () => {
  assert.equal(ramInBytes('512m'), 512 * 1024 * 1024);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('64MB'), 64 * 1024 * 1024);
  assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
  assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
});

test('NanoCPUs', () => {
  assert.equal(parseNanoCpus('1.5'), 1.5e9);
  assert.equal(parseNanoCpus('-1'), -1e9);
  assert.equal(parseNanoCpus('3/2'), 1.5e9);
  assert.throws(() => parseNanoCpus('abc'), { message: 'failed to parse abc as a rational number' });
  assert.throws(() => parseNanoCpus('0.0000000001'), { message: 'value is too precise' });
});

test('ulimits', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=64'), { Name: 'nproc', Soft: 64, Hard: 64 });
  assert.throws(() => parseUlimit('nofile'), /invalid ulimit argument: nofile/);
  assert.throws(() => parseUlimit('foo=1'), /invalid ulimit type: foo/);
  assert.throws(() => parseUlimit('nofile=20:10'), { message: 'ulimit soft limit must be less than or equal to hard limit: 20 > 10' });
});

test('flags → HostConfig, docker CLI messages', () => {
  const spec = { name: 'run', usage: '', description: '', flags: resourceFlags };
  const hc = resourceHostConfig(parseArgs(spec, ['-m', '64m', '--memory-swap', '-1', '--cpus', '0.5', '--pids-limit', '32', '--ulimit', 'nofile=10:20', '--shm-size', '1g', '-c', '512']), { update: false });
  assert.equal(hc.Memory, 64 << 20);
  assert.equal(hc.MemorySwap, -1);
  assert.equal(hc.NanoCpus, 5e8);
  assert.equal(hc.PidsLimit, 32);
  assert.equal(hc.CpuShares, 512);
  assert.equal(hc.ShmSize, 1024 ** 3);
  assert.deepEqual(hc.Ulimits, [{ Name: 'nofile', Soft: 10, Hard: 20 }]);
  assert.throws(() => resourceHostConfig(parseArgs(spec, ['--memory', 'abc']), { update: false }), { message: 'invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\'' });
  assert.throws(() => resourceHostConfig(parseArgs(spec, ['--cpus', 'x']), { update: false }), { message: 'invalid argument "x" for "--cpus" flag: failed to parse x as a rational number' });
  assert.equal(resourceHostConfig(parseArgs(spec, ['--pids-limit', '5']), { update: true }).ShmSize, undefined);
});
