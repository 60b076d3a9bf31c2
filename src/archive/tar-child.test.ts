import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tarOutput } from './tar-child.js';

async function drain(stream: NodeJS.ReadableStream): Promise<{ bytes: string; error?: string }> {
  let bytes = '';
  try {
    for await (const chunk of stream) bytes += String(chunk);
  } catch (err) {
    return { bytes, error: (err as Error).message };
  }
  return { bytes };
}

test('a tar that fails after writing errors its stream (the relay cuts the response); exit 0 and 1 end it', async () => {
  const failing = tarOutput(spawn('sh', ['-c', 'printf partial; echo "tar: boom" >&2; exit 2'], { stdio: ['ignore', 'pipe', 'pipe'] }), 'container x');
  assert.deepEqual(await drain(failing.stream), { bytes: 'partial', error: 'archiving container x: tar: boom' });
  assert.deepEqual(await failing.done, { ok: false, stderr: 'tar: boom' });
  for (const code of [0, 1]) {
    const fine = tarOutput(spawn('sh', ['-c', `printf whole; exit ${code}`], { stdio: ['ignore', 'pipe', 'pipe'] }), 'container x');
    assert.deepEqual(await drain(fine.stream), { bytes: 'whole' });
    assert.equal((await fine.done).ok, true);
  }
});
