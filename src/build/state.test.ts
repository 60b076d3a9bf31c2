import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildCache } from './cache.js';
import { buildEnv, goQuoteList, type StageState } from './state.js';

test('history formatting', () => {
  assert.equal(goQuoteList(['/bin/sh', '-c', 'echo "x"']), '["/bin/sh" "-c" "echo \\"x\\""]');
});

test('RUN sees declared ARGs not overridden by ENV, proxies only in the environment', () => {
  const state: StageState = { imageId: 'x', config: { Env: ['B=env'] }, args: new Map([['A', '1'], ['B', '2'], ['C', undefined]]), meta: new Map(), cmdSet: false };
  assert.deepEqual(buildEnv(state, new Map([['http_proxy', 'p']])), { all: ['A=1', 'http_proxy=p'], history: ['A=1'] });
});

test('cache keys change with anything the step depends on', () => {
  const base = { parent: 'sha256:a', createdBy: 'x', config: { Env: ['A=1'] } };
  const k = BuildCache.keyOf(base);
  assert.equal(BuildCache.keyOf({ ...base }), k);
  assert.notEqual(BuildCache.keyOf({ ...base, parent: 'sha256:b' }), k);
  assert.notEqual(BuildCache.keyOf({ ...base, config: { Env: ['A=2'] } }), k);
});
