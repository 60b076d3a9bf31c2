import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyResourceDefaults, ociResources, ociRlimits, parseCpuList, validateResources } from './resources.js';
import type { HostResources } from '../runtime/index.js';

const host: HostResources = { numCpu: 2, cpus: '0-1', mems: '0', memTotal: 8 << 30, hardLimits: { nofile: 20000, nproc: 1000 } };
const check = (hc: object, update = false) => validateResources(hc, host, { update });

test('memory rules and moby wording', () => {
  assert.throws(() => check({ Memory: 1024 }), /^InvalidArgument: Minimum memory limit allowed is 6MB$|Minimum memory limit allowed is 6MB/);
  assert.throws(() => check({ Memory: 64 << 20, MemorySwap: 32 << 20 }), /Minimum memoryswap limit should be larger than memory limit, see usage/);
  assert.throws(() => check({ MemorySwap: 64 << 20 }), /You should always set the Memory limit when using Memoryswap limit, see usage/);
  assert.deepEqual(check({ MemorySwap: 64 << 20 }, true), []);
  assert.throws(() => check({ Memory: 16 << 20, MemoryReservation: 32 << 20 }), /can not be less than memory reservation/);
  assert.deepEqual(check({ OomKillDisable: true }), ['OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.']);
});

test('cpu rules', () => {
  assert.throws(() => check({ NanoCpus: -1e9 }), { message: 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available' });
  assert.throws(() => check({ NanoCpus: 3e9 }), /Range of CPUs/);
  assert.throws(() => check({ NanoCpus: 1e9, CpuPeriod: 50000 }), /Nano CPUs and CPU Period cannot both be set/);
  assert.throws(() => check({ CpuPeriod: 10 }), /CPU cfs period can not be less than 1ms/);
  assert.throws(() => check({ CpuQuota: 10 }), /CPU cfs quota can not be less than 1ms/);
  assert.throws(() => check({ CpusetCpus: '99' }), { message: 'Requested CPUs are not available - requested 99, available: 0-1' });
  assert.throws(() => check({ CpusetCpus: '1-a' }), { message: 'Invalid value 1-a for cpuset cpus: invalid format: 1-a' });
  assert.deepEqual(check({ CpusetCpus: '0,1' }), []);
  assert.throws(() => check({ BlkioWeight: 5 }), /Range of blkio weight is from 10 to 1000/);
});

test('ulimits: unknown names, soft above hard, above the daemon hard limit', () => {
  assert.throws(() => check({ Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] }), /invalid ulimit type: bogus/);
  assert.throws(() => check({ Ulimits: [{ Name: 'nofile', Soft: 30000, Hard: 30000 }] }), /above the daemon's own hard limit \(20000\)/);
  assert.deepEqual(check({ Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }] }), []);
  assert.deepEqual(ociRlimits([{ Name: 'nofile', Soft: 1024, Hard: 2048 }]), [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
});

test('defaults: swap twice the memory, 64 MiB shm, OomKillDisable false, shares clamped', () => {
  const hc: Record<string, unknown> = { Memory: 64 << 20, CpuShares: 1, MemorySwappiness: -1 };
  applyResourceDefaults(hc);
  assert.deepEqual(hc, { Memory: 64 << 20, MemorySwap: 128 << 20, CpuShares: 2, ShmSize: 64 << 20, OomKillDisable: false, MemorySwappiness: null });
});

test('HostConfig → OCI linux.resources as moby builds it', () => {
  assert.deepEqual(ociResources({ Memory: 64 << 20, MemorySwap: 128 << 20, MemoryReservation: 32 << 20, OomKillDisable: false, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '1', PidsLimit: 32, BlkioWeight: 300 }), {
    memory: { limit: 64 << 20, swap: 128 << 20, reservation: 32 << 20, disableOOMKiller: false },
    cpu: { shares: 512, cpus: '1', period: 100000, quota: 150000 },
    pids: { limit: 32 },
    blockIO: { weight: 300 },
  });
  assert.deepEqual(ociResources({ PidsLimit: 0, MemorySwap: -1 }).pids, { limit: -1 });
  assert.deepEqual(ociResources({ CpuPeriod: 50000, CpuQuota: 25000 }).cpu, { period: 50000, quota: 25000 });
});

test('parseCpuList', () => {
  assert.deepEqual(parseCpuList('0-2,4'), [0, 1, 2, 4]);
  assert.throws(() => parseCpuList('x'), /invalid format: x/);
});
