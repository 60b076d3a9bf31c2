import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { pump } from './stdio.js';

const sink = (): Writable & { text: string } => {
  const w = new Writable({ write(c, _e, cb) { w.text += c.toString(); cb(); } }) as Writable & { text: string };
  w.text = '';
  return w;
};

test('pump resolves for a connection that ended before it was called', async () => {
  const conn = new PassThrough();
  conn.end();
  conn.resume();
  await new Promise((r) => conn.once('end', r));
  const out = sink();
  assert.equal(await pump(conn, { tty: true, stdout: out, stderr: sink() }), undefined);
});

test('pump copies output that arrived before it was called (tty)', async () => {
  const conn = new PassThrough();
  conn.end('hi\n');
  await new Promise((r) => setImmediate(r));
  const out = sink();
  await pump(conn, { tty: true, stdout: out, stderr: sink() });
  assert.equal(out.text, 'hi\n');
});
