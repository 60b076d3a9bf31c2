import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyDecoder, parseHead } from './http1.js';

const head = (h: string) => parseHead(Buffer.from(h))!.head;

test('parseHead waits for the blank line, then lower-cases names and reads keep-alive', () => {
  assert.equal(parseHead(Buffer.from('HTTP/1.1 200 OK\r\nA: b\r\n')), undefined);
  const r = parseHead(Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Type: x\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody'))!;
  assert.equal(r.head.statusCode, 404);
  assert.deepEqual(r.head.headers, { 'content-type': 'x', 'x-a': '1, 2' });
  assert.equal(r.head.keepAlive, true);
  assert.equal(r.bodyStart, 'HTTP/1.1 404 Not Found\r\nContent-Type: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n'.length);
  assert.equal(head('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n').keepAlive, false);
  assert.equal(head('HTTP/1.0 200 OK\r\n\r\n').keepAlive, false);
  assert.throws(() => parseHead(Buffer.from('SSH-2.0\r\n\r\n')));
});

test('chunked bodies decode byte by byte, trailers skipped, extra bytes reported', () => {
  const dec = bodyDecoder(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), 'GET');
  const wire = Buffer.from('3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: y\r\n\r\n');
  const out: Buffer[] = [];
  let done = false;
  for (const b of wire) {
    assert.equal(done, false);
    const r = dec.push(Buffer.from([b]));
    out.push(...r.data);
    done = r.done;
  }
  assert.equal(Buffer.concat(out).toString(), 'abc0123456789');
  assert.equal(done, true);
  assert.equal(dec.endOk(), false);
  const whole = bodyDecoder(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), 'GET').push(Buffer.concat([wire, Buffer.from('Z')]));
  assert.equal(Buffer.concat(whole.data).toString(), 'abc0123456789');
  assert.equal(whole.rest?.toString(), 'Z');
});

test('Content-Length, no body (204, HEAD), and read-until-close framings', () => {
  const len = bodyDecoder(head('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'), 'GET');
  assert.deepEqual(len.push(Buffer.from('ab')).done, false);
  const r = len.push(Buffer.from('cdeXY'));
  assert.equal(Buffer.concat(r.data).toString(), 'cde');
  assert.equal(r.done, true);
  assert.equal(r.rest?.toString(), 'XY');
  assert.equal(bodyDecoder(head('HTTP/1.1 204 No Content\r\n\r\n'), 'DELETE').push(Buffer.alloc(0)).done, true);
  assert.equal(bodyDecoder(head('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n'), 'HEAD').push(Buffer.alloc(0)).done, true);
  const eof = bodyDecoder(head('HTTP/1.1 200 OK\r\n\r\n'), 'GET');
  assert.equal(eof.push(Buffer.from('x')).done, false);
  assert.equal(eof.endOk(), true);
});
