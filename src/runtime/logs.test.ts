import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRecord, parseTime, readLogs, tailOffset, type ReadLogsOptions } from './logs.js';

const T = (s: number, ns = 0) => `2026-11-24T00:00:${String(s).padStart(2, '0')}.${String(ns).padStart(9, '0')}+00:00`;

async function withLog(content: string, fn: (file: string) => Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-logs-'));
  try {
    const file = path.join(dir, 'ctr.log');
    await fs.writeFile(file, content);
    await fn(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const all: ReadLogsOptions = { follow: false, stdout: true, stderr: true, tail: 'all' };

async function read(file: string, opts: Partial<ReadLogsOptions> = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const r of readLogs(file, { ...all, ...opts })) out.push(`${r.stream}:${r.data.toString()}`);
  return out;
}

test('parseTime converts to UTC RFC3339Nano and unix seconds', () => {
  assert.deepEqual(parseTime('2026-11-24T00:09:08.814114080+00:00'), { time: '2026-11-24T00:09:08.814114080Z', seconds: Date.parse('2026-11-24T00:09:08Z') / 1000 + 0.81411408 });
  assert.equal(parseTime('2026-11-24T02:09:08.5+02:00')?.time, '2026-11-24T00:09:08.500000000Z');
  assert.equal(parseTime('garbage'), undefined);
});

test('parseRecord splits the fields and keeps empty data', () => {
  const r = parseRecord(Buffer.from(`${T(1)} stderr F a b  c`))!;
  assert.deepEqual([r.stream, r.partial, r.data.toString()], ['stderr', false, 'a b  c']);
  assert.equal(parseRecord(Buffer.from(`${T(1)} stdout F `))!.data.length, 0);
  assert.equal(parseRecord(Buffer.from(`${T(1)} other F x`)), undefined);
});

test('readLogs joins partial records per stream and restores newlines', () =>
  withLog(
    [`${T(1)} stdout P abc`, `${T(1)} stderr F err`, `${T(2)} stdout P def`, `${T(2)} stdout F ghi`, `${T(3)} stdout F `, `${T(4)} stdout P tail`, ''].join('\n'),
    async (file) => {
      assert.deepEqual(await read(file), ['stderr:err\n', 'stdout:abcdefghi\n', 'stdout:\n', 'stdout:tail']);
      assert.deepEqual(await read(file, { stderr: false }), ['stdout:abcdefghi\n', 'stdout:\n', 'stdout:tail']);
      assert.deepEqual(await read(file, { stdout: false }), ['stderr:err\n']);
    },
  ));

test('readLogs reports times in UTC with nanoseconds', () =>
  withLog(`${T(1, 5)} stdout F x\n`, async (file) => {
    for await (const r of readLogs(file, all)) assert.equal(r.time, '2026-11-24T00:00:01.000000005Z');
  }));

test('since and until bound the records (both inclusive)', () =>
  withLog([1, 2, 3, 4].map((s) => `${T(s)} stdout F l${s}`).join('\n') + '\n', async (file) => {
    const base = Date.parse('2026-11-24T00:00:00Z') / 1000;
    assert.deepEqual(await read(file, { since: base + 2, until: base + 3 }), ['stdout:l2\n', 'stdout:l3\n']);
    assert.deepEqual(await read(file, { since: base + 2.5 }), ['stdout:l3\n', 'stdout:l4\n']);
  }));

test('tail counts whole lines over both streams, partial runs as one line', () =>
  withLog(
    [`${T(1)} stdout F one`, `${T(2)} stdout P tw`, `${T(2)} stdout F o`, `${T(3)} stderr F three`, `${T(4)} stdout P fo`, `${T(4)} stdout P ur`, ''].join('\n'),
    async (file) => {
      assert.deepEqual(await read(file, { tail: 2 }), ['stderr:three\n', 'stdout:four']);
      assert.deepEqual(await read(file, { tail: 3 }), ['stdout:two\n', 'stderr:three\n', 'stdout:four']);
      assert.deepEqual(await read(file, { tail: 10 }), ['stdout:one\n', 'stdout:two\n', 'stderr:three\n', 'stdout:four']);
      assert.deepEqual(await read(file, { tail: 0 }), []);
    },
  ));

test('tail of a large log reads only the end', () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `${T(1)} stdout F line ${i} ${'x'.repeat(40)}`);
  return withLog(lines.join('\n') + '\n', async (file) => {
    const handle = await fs.open(file, 'r');
    const reads: number[] = [];
    const orig = handle.read.bind(handle) as (...a: unknown[]) => unknown;
    (handle as { read: unknown }).read = (...args: unknown[]) => {
      reads.push(Number(args[3] ?? 0));
      return orig(...args);
    };
    try {
      const size = (await handle.stat()).size;
      const off = await tailOffset(handle, size, 3);
      assert.equal(reads.length, 1);
      const rest = (await fs.readFile(file)).subarray(off).toString();
      assert.equal(rest.split('\n').filter(Boolean).length, 3);
      assert.ok(rest.startsWith(`${T(1)} stdout F line 49997 `));
    } finally {
      await handle.close();
    }
    const out = await read(file, { tail: 2 });
    assert.deepEqual(out.map((l) => l.split(' ')[1]), ['49998', '49999']);
  });
});

test('follow yields new records and ends after the container exits, draining first', () =>
  withLog(`${T(1)} stdout F first\n`, async (file) => {
    let exit: () => void = () => undefined;
    const untilExited = new Promise<void>((r) => (exit = r));
    const got: string[] = [];
    const done = (async () => {
      for await (const r of readLogs(file, { ...all, follow: true, untilExited })) got.push(r.data.toString());
    })();
    await new Promise((r) => setTimeout(r, 50));
    await fs.appendFile(file, `${T(2)} stdout F second\n`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(got, ['first\n', 'second\n']);
    await fs.appendFile(file, `${T(3)} stdout F last\n`);
    exit();
    await done;
    assert.deepEqual(got, ['first\n', 'second\n', 'last\n']);
  }));

test('follow ends at once when the exit comes while the reader is between its checks (no poll interval lost)', () =>
  withLog(`${T(1)} stdout F only\n`, async (file) => {
    // The exit lands at varied moments of the reader's end-of-file checks; each follow must
    // end well within the 250 ms poll, which a lost wake-up would cost.
    for (let i = 0; i < 40; i++) {
      let exit: () => void = () => undefined;
      const untilExited = new Promise<void>((r) => (exit = r));
      const t0 = performance.now();
      const done = (async () => {
        let n = 0;
        for await (const _ of readLogs(file, { ...all, follow: true, untilExited })) n++;
        return n;
      })();
      if (i % 2) setImmediate(exit);
      else setTimeout(exit, (i % 5) / 2);
      assert.equal(await done, 1);
      const ms = performance.now() - t0;
      assert.ok(ms < 100, `round ${i}: follow took ${ms.toFixed(1)} ms after the exit`);
    }
  }));

test('follow stops on abort', () =>
  withLog('', async (file) => {
    const ac = new AbortController();
    const done = (async () => {
      let n = 0;
      for await (const _ of readLogs(file, { ...all, follow: true, untilExited: new Promise(() => undefined), signal: ac.signal })) n++;
      return n;
    })();
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    assert.equal(await done, 0);
  }));

test('a missing log file yields nothing', async () => {
  assert.deepEqual(await read('/nonexistent/wharf/ctr.log'), []);
});
