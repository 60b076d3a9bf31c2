import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyResult, mergeHealthcheck, nextDelayMs, probeCommand, validateHealthcheck, type HealthState } from './health.js';
import type { ContainerRecord } from './container.js';

const S = 1e9;
const started = Date.parse('2024-01-01T00:00:00Z');
const at = (sec: number, code: number) => ({ Start: new Date(started + sec * 1000).toISOString(), End: new Date(started + sec * 1000 + 10).toISOString(), ExitCode: code, Output: `${code}` });
const starting: HealthState = { Status: 'starting', FailingStreak: 0, Log: [] };

test('a pass makes healthy and clears the streak; failures count up to Retries (default 3)', () => {
  let h = applyResult(starting, at(1, 1), {}, started);
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 1]);
  h = applyResult(h, at(2, 1), {}, started);
  h = applyResult(h, at(3, 1), {}, started);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 3]);
  h = applyResult(h, at(4, 0), {}, started);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
  h = applyResult(h, at(5, -1), { Retries: 1 }, started);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 1]);
});

test('failures within StartPeriod do not count while starting; the log keeps the last 5', () => {
  let h = starting;
  for (let i = 1; i <= 7; i++) h = applyResult(h, at(i, 1), { StartPeriod: 10 * S, Retries: 1 }, started);
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 0]);
  assert.deepEqual(h.Log.map((r) => r.Start), [3, 4, 5, 6, 7].map((i) => at(i, 1).Start));
  h = applyResult(h, at(11, 1), { StartPeriod: 10 * S, Retries: 1 }, started);
  assert.equal(h.Status, 'unhealthy');
});

test('next probe: Interval (default 30s); StartInterval while starting in StartPeriod; at once when StartPeriod ends first', () => {
  const rec = (hc: object, status: HealthState['Status'] = 'starting') =>
    ({ spec: { config: { Healthcheck: hc } }, state: { startedAt: new Date(started).toISOString(), health: { ...starting, Status: status } } }) as unknown as ContainerRecord;
  assert.equal(nextDelayMs(rec({}), started), 30_000);
  assert.equal(nextDelayMs(rec({ Interval: 2 * S }), started), 2000);
  assert.equal(nextDelayMs(rec({ Interval: 2 * S, StartPeriod: 60 * S }), started), 5000);
  assert.equal(nextDelayMs(rec({ Interval: 2 * S, StartPeriod: 60 * S, StartInterval: 1 * S }), started), 1000);
  assert.equal(nextDelayMs(rec({ Interval: 2 * S, StartPeriod: 60 * S }, 'healthy'), started), 2000);
  assert.equal(nextDelayMs(rec({ Interval: 30 * S, StartPeriod: 10 * S }), started + 4000), 6000);
});

test('probe commands: CMD as is, CMD-SHELL through the shell, NONE and empty mean none', () => {
  assert.deepEqual(probeCommand({ Healthcheck: { Test: ['CMD', 'true', 'x'] } }), ['true', 'x']);
  assert.deepEqual(probeCommand({ Healthcheck: { Test: ['CMD-SHELL', 'exit 1'] } }), ['/bin/sh', '-c', 'exit 1']);
  assert.deepEqual(probeCommand({ Healthcheck: { Test: ['CMD-SHELL', 'exit 1'] }, Shell: ['/bin/bash', '-ec'] }), ['/bin/bash', '-ec', 'exit 1']);
  assert.equal(probeCommand({ Healthcheck: { Test: ['NONE'] } }), undefined);
  assert.equal(probeCommand({}), undefined);
});

test('create checks and the merge with the image', () => {
  assert.throws(() => validateHealthcheck({ Interval: 1000 }), { message: 'Interval in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthcheck({ Retries: -1 }), { message: 'Retries in Healthcheck cannot be negative' });
  validateHealthcheck({ Interval: 0, Timeout: 1e6 });
  const image = { Test: ['CMD', 'true'], Interval: 5 * S, Retries: 4 };
  assert.deepEqual(mergeHealthcheck({ Interval: 1 * S }, image), { Interval: 1 * S, Test: ['CMD', 'true'], Retries: 4 });
  assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image), { Test: ['NONE'], Interval: 5 * S, Retries: 4 });
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
});
