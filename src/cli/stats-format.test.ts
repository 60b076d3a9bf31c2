import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statsRow, type StatsJson } from './stats-format.js';

test('a stats row: CPU % against precpu, memory without inactive files, summed I/O', () => {
  const s: StatsJson = {
    id: 'a'.repeat(64), name: '/web',
    cpu_stats: { cpu_usage: { total_usage: 2e8, percpu_usage: [1, 1] }, system_cpu_usage: 2e9, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 1e8 }, system_cpu_usage: 1e9 },
    memory_stats: { usage: 20 << 20, limit: 64 << 20, stats: { total_inactive_file: 4 << 20 } },
    pids_stats: { current: 3 },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 1500 }, { op: 'Write', value: 2000 }, { op: 'Total', value: 3500 }] },
    networks: { eth0: { rx_bytes: 1000, tx_bytes: 20 }, eth1: { rx_bytes: 500, tx_bytes: 0 } },
  };
  assert.deepEqual(statsRow(s, { container: 'web', trunc: true }), {
    Container: 'web', ID: 'aaaaaaaaaaaa', Name: 'web', CPUPerc: '20.00%', MemUsage: '16MiB / 64MiB', MemPerc: '25.00%',
    NetIO: '1.5kB / 20B', BlockIO: '1.5kB / 2kB', PIDs: '3',
  });
});
