// Bounded logs: --log-opt max-size/max-file (default 10 MB × 3) hold even for a chatty
// container and while wharfd is down; `logs` reads across the rotated files in order;
// --log-driver none keeps no log; inspect shows LogConfig as given.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startDaemon, TARGET, type TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PAD = 'x'.repeat(200);

describe('log rotation', { skip: TARGET === 'docker' ? 'reads wharf\'s log files' : false }, () => {
  let d: TestDaemon;

  const ok = (args: string[], cli: 'docker' | 'wharf' = 'docker') => d.ok(args, cli);
  /** Bytes of every log file of a container, each inode once. */
  const logBytes = async (id: string) => {
    const dir = path.join(d.dataRoot, 'containers', id);
    const seen = new Set<number>();
    let total = 0;
    for (const f of await fs.readdir(dir)) {
      if (!f.startsWith('container.log')) continue;
      const st = await fs.stat(path.join(dir, f));
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += st.size;
    }
    return total;
  };
  const waitExit = async (id: string) => ok(['wait', id]);

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('inspect shows LogConfig as given, the default when none', async () => {
    await ok(['create', '--name', 'lc1', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'busybox']);
    assert.equal((await ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'lc1'])).trim(), '{"Type":"json-file","Config":{"max-file":"3","max-size":"10k"}}');
    await ok(['create', '--name', 'lc2', 'busybox']);
    assert.equal((await ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'lc2'])).trim(), '{"Type":"json-file","Config":{}}');
    await ok(['create', '--name', 'lc3', '--log-driver', 'local', 'busybox'], 'wharf');
    assert.equal((await ok(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'lc3'])).trim(), '{"Type":"local","Config":{}}');
    const bad = await d.docker(['create', '--log-driver', 'syslogx', 'busybox']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /logger: no log driver named 'syslogx' is registered/);
    const badOpt = await d.docker(['create', '--log-opt', 'colour=red', 'busybox']);
    assert.equal(badOpt.code, 1);
    assert.match(badOpt.stderr, /unknown log opt 'colour' for json-file log driver/);
    await ok(['rm', 'lc1', 'lc2', 'lc3']);
  });

  test('a slow writer: every line kept across rotations, in order; --tail spans files', async () => {
    const id = (await ok(['run', '-d', '--log-opt', 'max-size=4k', '--log-opt', 'max-file=5', 'busybox', 'sh', '-c', `i=1; while [ $i -le 60 ]; do echo line-$i-${PAD}; i=$((i+1)); sleep 0.04; done`])).trim();
    await waitExit(id);
    const files = (await fs.readdir(path.join(d.dataRoot, 'containers', id))).filter((f) => f.startsWith('container.log')).sort();
    assert.ok(files.includes('container.log.1') && files.includes('container.log.2'), `rotated: ${files.join(' ')}`);
    const all = (await ok(['logs', id])).trim().split('\n');
    assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => `line-${i + 1}-${PAD}`));
    const tail = (await ok(['logs', '--tail', '20', id])).trim().split('\n');
    assert.deepEqual(tail, Array.from({ length: 20 }, (_, i) => `line-${i + 41}-${PAD}`));
    assert.ok((await logBytes(id)) <= 5 * 4096);
    await ok(['rm', id]);
  });

  test('a chatty container never passes max-size × max-file; logs end with its last line', async () => {
    const id = (await ok(['run', '-d', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', `i=1; while [ $i -le 5000 ]; do echo line-$i-${PAD}; i=$((i+1)); done`])).trim();
    await waitExit(id);
    assert.ok((await logBytes(id)) <= 3 * 10240, `${await logBytes(id)} bytes`);
    const lines = (await ok(['logs', id])).trim().split('\n');
    assert.equal(lines[lines.length - 1], `line-5000-${PAD}`);
    // Files dropped while a burst outran the poll leave gaps, and conmon may split the line
    // it was writing when it rotated; whole lines come in order.
    const nums = lines.map((l) => new RegExp(`^line-(\\d+)-${PAD}$`).exec(l)?.[1]).filter((n) => n !== undefined).map(Number);
    assert.ok(nums.length >= 1 && nums.every((n, i) => i === 0 || n > nums[i - 1]!), `in order: ${nums.join(' ')}`);
    await ok(['rm', id]);
  });

  test('the bound holds while wharfd is down', async () => {
    const id = (await ok(['run', '-d', '--log-opt', 'max-size=10k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', `sleep 0.3; i=1; while [ $i -le 5000 ]; do echo line-$i-${PAD}; i=$((i+1)); done; sleep 0.5`])).trim();
    await d.kill9();
    await sleep(2500);
    assert.ok((await logBytes(id)) <= 3 * 10240, `${await logBytes(id)} bytes`);
    await d.restart();
    await waitExit(id);
    const lines = (await ok(['logs', id])).trim().split('\n');
    assert.equal(lines[lines.length - 1], `line-5000-${PAD}`);
    await ok(['rm', id]);
  });

  test('logs -f follows across a rotation', async () => {
    const id = (await ok(['run', '-d', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', `sleep 0.5; i=1; while [ $i -le 30 ]; do echo line-$i-${PAD}; i=$((i+1)); sleep 0.03; done`])).trim();
    const followed = (await ok(['logs', '-f', id])).trim().split('\n');
    assert.deepEqual(followed, Array.from({ length: 30 }, (_, i) => `line-${i + 1}-${PAD}`));
    await ok(['rm', id]);
  });

  test('--log-driver none: no log file, logs refused with docker\'s error', async () => {
    const id = (await ok(['run', '-d', '--log-driver', 'none', 'busybox', 'echo', 'hi'])).trim();
    await waitExit(id);
    const r = await d.docker(['logs', id]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error response from daemon: configured logging driver does not support reading');
    const files = (await fs.readdir(path.join(d.dataRoot, 'containers', id))).filter((f) => f.startsWith('container.log'));
    assert.deepEqual(files, []);
    await ok(['rm', id]);
  });
});
