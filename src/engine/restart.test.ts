import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextBackoff, policyRestarts } from './restart.js';

test('policyRestarts: moby ShouldRestart table', () => {
  const exit = (exitCode: number, restartCount = 0, stoppedByUser = false) => ({ exitCode, restartCount, stoppedByUser });
  assert.equal(policyRestarts(undefined, exit(1)), false);
  assert.equal(policyRestarts({ Name: 'no' }, exit(1)), false);
  assert.equal(policyRestarts({ Name: 'always' }, exit(0)), true);
  assert.equal(policyRestarts({ Name: 'always' }, exit(0, 0, true)), false);
  assert.equal(policyRestarts({ Name: 'unless-stopped' }, exit(0)), true);
  assert.equal(policyRestarts({ Name: 'on-failure' }, exit(0)), false);
  assert.equal(policyRestarts({ Name: 'on-failure' }, exit(1, 100)), true);
  assert.equal(policyRestarts({ Name: 'on-failure', MaximumRetryCount: 3 }, exit(1, 2)), true);
  assert.equal(policyRestarts({ Name: 'on-failure', MaximumRetryCount: 3 }, exit(1, 3)), false);
});

test('nextBackoff: 100 ms doubling to 1 min, reset after a 10 s run', () => {
  assert.equal(nextBackoff(0, 0), 100);
  assert.equal(nextBackoff(100, 50), 200);
  assert.equal(nextBackoff(51_200, 50), 60_000);
  assert.equal(nextBackoff(60_000, 50), 60_000);
  assert.equal(nextBackoff(60_000, 10_000), 100);
});
