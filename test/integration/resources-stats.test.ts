// `stats`: the API's StatsJSON from cgroup figures, rendered by the real docker CLI and by
// wharf's, with exact limits; one-shot and streaming.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startDaemon, type TestDaemon } from './harness.js';

describe('stats', () => {
  let d: TestDaemon;
  const ok = async (args: string[], cli: 'docker' | 'wharf' = 'docker') => (await d.ok(args, cli)).trim();

  before(async () => {
    d = await startDaemon();
    // Two processes: busybox sh execs its last command.
    await ok(['run', '-d', '--name', 'st', '-m', '64m', '--pids-limit', '20', 'busybox', 'sh', '-c', 'sleep 300 & sleep 300']);
    await ok(['create', '--name', 'st-off', 'busybox', 'true']);
  });
  after(async () => {
    await d.close();
  });

  for (const cli of ['docker', 'wharf'] as const) {
    test(`${cli} stats --no-stream: a row with the exact limit`, async () => {
      const out = await ok(['stats', '--no-stream', 'st'], cli);
      const [header, row] = out.split('\n');
      assert.match(header!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
      assert.match(row!, /^[0-9a-f]{12}\s+st\s+\d+\.\d\d%\s+[\d.]+(B|KiB|MiB) \/ 64MiB\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+2$/);
    });
    test(`${cli} stats --no-stream -a --format shows stopped containers with zeros`, async () => {
      const out = await ok(['stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}'], cli);
      assert.ok(out.split('\n').includes('st-off 0.00% 0B / 0B 0'), out);
    });
  }

  test('API one-shot: Docker\'s shape from the cgroup files', async () => {
    const r = await d.api('GET', '/containers/st/stats?stream=false&one-shot=true');
    assert.equal(r.status, 200);
    const s = r.json as Record<string, any>;
    assert.equal(s.name, '/st');
    assert.equal(s.memory_stats.limit, 64 * 1024 * 1024);
    assert.ok(s.memory_stats.usage > 0 && typeof s.memory_stats.stats.cache === 'number');
    assert.deepEqual(s.pids_stats, { current: 2, limit: 20 });
    assert.ok(s.cpu_stats.cpu_usage.total_usage > 0);
    assert.equal(s.cpu_stats.online_cpus, s.cpu_stats.cpu_usage.percpu_usage.length);
    assert.ok(s.cpu_stats.system_cpu_usage > 0);
    assert.equal(s.precpu_stats.cpu_usage.total_usage, 0);
    assert.ok(Array.isArray(s.blkio_stats.io_service_bytes_recursive));
    assert.equal((await d.api('GET', '/containers/nope/stats?stream=false')).status, 404);
  });

  test('API stream: a frame a second, precpu the previous frame', async () => {
    const frames = await new Promise<Record<string, any>[]>((resolve, reject) => {
      const got: Record<string, any>[] = [];
      let buf = '';
      const req = http.get({ socketPath: d.socket, path: '/containers/st/stats' }, (res) => {
        res.on('data', (c: Buffer) => {
          buf += c.toString();
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            got.push(JSON.parse(buf.slice(0, nl)));
            buf = buf.slice(nl + 1);
            if (got.length === 2) { req.destroy(); resolve(got); }
          }
        });
      });
      req.on('error', (e) => (got.length === 2 ? undefined : reject(e)));
    });
    const gap = Date.parse(frames[1]!.read) - Date.parse(frames[0]!.read);
    assert.ok(gap >= 900 && gap < 2000, `gap ${gap}`);
    assert.equal(frames[1]!.preread, frames[0]!.read);
    assert.equal(frames[1]!.precpu_stats.cpu_usage.total_usage, frames[0]!.cpu_stats.cpu_usage.total_usage);
  });
});
