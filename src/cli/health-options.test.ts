import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './flags.js';
import { healthcheckFrom, healthFlags } from './health-options.js';

const spec = { name: 'run', usage: '', description: '', flags: healthFlags };
const hc = (...argv: string[]) => healthcheckFrom(parseArgs(spec, argv));

test('no health flags: nothing sent, the image decides', () => {
  assert.equal(hc(), undefined);
});

test('--health-cmd and timings: CMD-SHELL, nanoseconds, zero fields left out', () => {
  assert.deepEqual(hc('--health-cmd', 'true', '--health-interval', '2s', '--health-retries', '2'), { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Retries: 2 });
  assert.deepEqual(hc('--health-timeout', '500ms', '--health-start-period', '1m'), { Timeout: 5e8, StartPeriod: 60e9 });
});

test('--no-healthcheck: NONE; with any --health-* flag: docker\'s refusal', () => {
  assert.deepEqual(hc('--no-healthcheck'), { Test: ['NONE'] });
  assert.throws(() => hc('--no-healthcheck', '--health-cmd', 'true'), { message: '--no-healthcheck conflicts with --health-* options' });
  assert.throws(() => hc('--health-interval', '-1s'), { message: '--health-interval cannot be negative' });
  assert.throws(() => hc('--health-retries', '-1'), { message: '--health-retries cannot be negative' });
  assert.throws(() => hc('--health-interval', '5'), { message: 'invalid argument "5" for "--health-interval" flag: time: missing unit in duration "5"' });
});
