import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCommand, mergeConfig, mergeEnv, pathAndArgs } from './merge-config.js';

test('env merges by key, request wins and moves last', () => {
  assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3']), ['PATH=/bin', 'A=2', 'B=3']);
});

test('image CMD is dropped when the request sets an entrypoint', () => {
  assert.deepEqual(mergeCommand({ Entrypoint: ['/e'], Cmd: ['c'] }, { Entrypoint: ['/x'] }), { entrypoint: ['/x'], cmd: [] });
});

test('request CMD replaces the image CMD and keeps the image entrypoint', () => {
  assert.deepEqual(mergeCommand({ Entrypoint: ['/e'], Cmd: ['c'] }, { Cmd: ['d'] }), { entrypoint: ['/e'], cmd: ['d'] });
});

test('--entrypoint "" clears the entrypoint', () => {
  assert.deepEqual(mergeCommand({ Entrypoint: ['/e'], Cmd: ['c'] }, { Entrypoint: [''], Cmd: ['sh'] }), { entrypoint: [], cmd: ['sh'] });
});

test('no command at all is refused with Docker\'s message', () => {
  assert.throws(() => mergeConfig({}, { Image: 'x' }), /no command specified/);
});

test('path and args split entrypoint + cmd', () => {
  assert.deepEqual(pathAndArgs({ Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] }), { path: 'sh', args: ['-c', 'echo hi'] });
});
