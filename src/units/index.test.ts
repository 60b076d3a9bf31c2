import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, formatGoDuration, getTimestamp, humanDuration, humanSize, parseGoDuration } from './index.js';

test('go-units sizes and durations', () => {
  assert.equal(humanSize(1984132, 3), '1.98MB');
  assert.equal(humanSize(1984132), '1.984MB');
  assert.equal(humanSize(0, 3), '0B');
  assert.equal(humanSize(4260000), '4.26MB');
  assert.equal(humanSize(2151000), '2.151MB');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(31_000), '31 seconds');
  assert.equal(humanDuration(90_000), 'About a minute');
  assert.equal(humanDuration(120_000), '2 minutes');
  assert.equal(humanDuration(3_600_000), 'About an hour');
  assert.equal(humanDuration(5 * 86_400_000), '5 days');
});

test('go-units durations truncate seconds and minutes, round hours', () => {
  assert.equal(humanDuration(1_999), '1 second');
  assert.equal(humanDuration(59_999), '59 seconds');
  assert.equal(humanDuration(119_999), 'About a minute');
  assert.equal(humanDuration(5_400_000), '2 hours');
});

test('bytesSize as go-units BytesSize', () => {
  assert.equal(bytesSize(64 * 1024 * 1024), '64MiB');
  assert.equal(bytesSize(348160), '340KiB');
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1.5 * 1024 ** 3), '1.5GiB');
});

test('Go durations in nanoseconds', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('1s'), 1e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('300ms'), 3e8);
  assert.equal(parseGoDuration('2h45m'), (2 * 3600 + 45 * 60) * 1e9);
  assert.equal(parseGoDuration('-1s'), -1e9);
  assert.throws(() => parseGoDuration('5'), { message: 'time: missing unit in duration "5"' });
  assert.throws(() => parseGoDuration('x'), { message: 'time: invalid duration "x"' });
});

test("docker's GetTimestamp: durations before now, unix seconds as given, dates with nanoseconds", () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  assert.equal(getTimestamp('10m', now), now / 1000 - 600);
  assert.equal(getTimestamp('1h30m', now), now / 1000 - 5400);
  assert.equal(getTimestamp('1700000000.5', now), 1700000000.5);
  assert.equal(getTimestamp('0', now), 0);
  assert.equal(getTimestamp('2026-11-24T11:00:00.25Z', now), now / 1000 - 3600 + 0.25);
  assert.throws(() => getTimestamp('bogus', now), { message: 'failed to parse value as time or duration: "bogus"' });
});

test('humanSize: the progress sizes (powers of 1000)', () => {
  assert.deepEqual([0, 5, 999, 1000, 1048.576 * 1000, 1_200_000, 524_288, 3.5e9].map((n) => humanSize(n)), ['0B', '5B', '999B', '1kB', '1.049MB', '1.2MB', '524.3kB', '3.5GB']);
});

test("Go's Duration.String() for whole milliseconds", () => {
  assert.equal(formatGoDuration(30_000), '30s');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(500), '500ms');
  assert.equal(formatGoDuration(90_000), '1m30s');
});
