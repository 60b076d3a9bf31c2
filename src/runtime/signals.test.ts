import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSignal } from './signals.js';
import { InvalidArgument } from '../errdefs/index.js';

test('parseSignal accepts names with and without SIG, any case, and numbers', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('kill'), 9);
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal(2), 2);
  assert.equal(parseSignal('SIGRTMIN+1'), 35);
  assert.equal(parseSignal('RTMAX'), 64);
});

test('parseSignal rejects unknown signals with Docker\'s wording', () => {
  assert.throws(() => parseSignal('FOO'), (e: unknown) => e instanceof InvalidArgument && e.message === 'Invalid signal: FOO');
  assert.throws(() => parseSignal(0), InvalidArgument);
  assert.throws(() => parseSignal('65'), InvalidArgument);
});
