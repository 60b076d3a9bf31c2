import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { watchExits } from './exits.js';

function collector() {
  const got: [string, number][] = [];
  let wake: (() => void) | undefined;
  return {
    got,
    cb: (id: string, code: number) => {
      got.push([id, code]);
      wake?.();
    },
    async waitFor(n: number, ms = 3000) {
      const deadline = Date.now() + ms;
      while (got.length < n && Date.now() < deadline) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
    },
  };
}

async function writeLikeConmon(dir: string, id: string, code: number) {
  const tmp = path.join(dir, `${id}.ABC123`);
  await fs.writeFile(tmp, String(code));
  await fs.rename(tmp, path.join(dir, id));
}

test('watchExits reports existing files, then new ones, each once', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-exits-'));
  const c = collector();
  await fs.writeFile(path.join(dir, 'old'), '3');
  const w = watchExits(dir, c.cb, { rescanMs: 100 });
  try {
    await c.waitFor(1);
    await writeLikeConmon(dir, 'abc', 137);
    await c.waitFor(2);
    await new Promise((r) => setTimeout(r, 300)); // a few rescans: no duplicates
    assert.deepEqual(c.got.sort(), [['abc', 137], ['old', 3]]);
    // The container runs again: its exit file is removed and written anew.
    await fs.rm(path.join(dir, 'abc'));
    await new Promise((r) => setTimeout(r, 150));
    await writeLikeConmon(dir, 'abc', 0);
    await c.waitFor(3);
    assert.deepEqual(c.got.at(-1), ['abc', 0]);
  } finally {
    w.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('watchExits reports quickly (inotify, not the rescan)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-exits-'));
  const c = collector();
  const w = watchExits(dir, c.cb, { rescanMs: 60_000 });
  try {
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await writeLikeConmon(dir, 'fast', 1);
    await c.waitFor(1);
    const ms = performance.now() - t0;
    assert.deepEqual(c.got, [['fast', 1]]);
    assert.ok(ms < 50, `took ${ms} ms`);
  } finally {
    w.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('watchExits reports when the exit happened (the file time), not when it was noticed', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-exits-'));
  const when = new Date('2021-02-03T04:05:06.789Z');
  await fs.writeFile(path.join(dir, 'past'), '7');
  await fs.utimes(path.join(dir, 'past'), when, when);
  const got: [string, number, Date][] = [];
  const w = watchExits(dir, (id, code, at) => got.push([id, code, at]), { rescanMs: 50 });
  try {
    for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(got, [['past', 7, when]]);
  } finally {
    w.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
