import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { conmonSizeMax, keepHistory, logFiles, rotateBeforeStart } from './log-rotation.js';

const line = (t: string) => `2026-01-01T00:00:00.000000000Z stdout F ${t}\n`;

test('conmonSizeMax leaves room for the one file kept while wharfd is down', () => {
  assert.equal(conmonSizeMax({ maxSize: 3000, maxFile: 3 }), 2250);
  assert.equal(conmonSizeMax({ maxSize: 3000, maxFile: 1 }), 3000);
});

test('keepHistory: a rotation by conmon (rename over) shifts the kept link into .1, drops the oldest', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-logrot-'));
  try {
    const log = path.join(dir, 'container.log');
    const limits = { maxSize: 1000, maxFile: 3 };
    const conmonRotates = async (text: string) => {
      await fs.writeFile(`${log}.tmp`, line(text));
      await fs.rename(`${log}.tmp`, log);
    };
    await fs.writeFile(log, line('a'));
    await keepHistory(log, limits);
    for (const t of ['b', 'c', 'd']) {
      await conmonRotates(t);
      await keepHistory(log, limits);
    }
    const files = await logFiles(log);
    assert.deepEqual(files.map((f) => path.basename(f)), ['container.log.2', 'container.log.1', 'container.log']);
    assert.deepEqual(await Promise.all(files.map((f) => fs.readFile(f, 'utf8'))), [line('b'), line('c'), line('d')]);
    await rotateBeforeStart(log, limits);
    assert.deepEqual((await logFiles(log)).map((f) => path.basename(f)), ['container.log.2', 'container.log.1', 'container.log']);
    assert.equal(await fs.readFile(`${log}.1`, 'utf8'), line('d'));
    await assert.rejects(fs.stat(log));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
