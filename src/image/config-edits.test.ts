import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errdefs/index.js';
import { applyConfigEdit, onbuildTriggerError, portKeys, resolveWorkdir, setEnv } from './config-edits.js';

test('setEnv replaces in place (moby dispatchEnv), appends new keys', () => {
  assert.deepEqual(setEnv(['A=1', 'B=2'], 'A', '3'), ['A=3', 'B=2']);
  assert.deepEqual(setEnv(['A', 'B=2'], 'A', '3'), ['A=3', 'B=2']);
  assert.deepEqual(setEnv(['A=1'], 'C', 'x=y'), ['A=1', 'C=x=y']);
});

test('portKeys: ranges, protocols, and one message for every bad spec', () => {
  assert.deepEqual(portKeys('80'), ['80/tcp']);
  assert.deepEqual(portKeys('53/UDP'), ['53/udp']);
  assert.deepEqual(portKeys('8000-8002/sctp'), ['8000/sctp', '8001/sctp', '8002/sctp']);
  for (const [bad, shown] of [['abc', 'abc'], ['90-80/udp', '90-80'], ['70000', '70000'], ['80/foo', '80']]) {
    assert.throws(() => portKeys(bad!), (e: unknown) => isKind(e, 'invalid-argument') && (e as Error).message === `invalid containerPort: ${shown}`, bad);
  }
});

test('resolveWorkdir: absolute, relative to the current one, cleaned', () => {
  assert.equal(resolveWorkdir(undefined, 'a'), '/a');
  assert.equal(resolveWorkdir('/a', 'b/../c/'), '/a/c');
  assert.equal(resolveWorkdir('/a', '/x/./y'), '/x/y');
  assert.equal(resolveWorkdir('', '..'), '/');
});

test('applyConfigEdit: leaves the input alone; ENTRYPOINT resets CMD unless kept', () => {
  const base = { Cmd: ['sh'], Env: ['A=1'] };
  assert.deepEqual(applyConfigEdit(base, { kind: 'entrypoint', args: ['e'], keepCmd: false }), { Cmd: null, Env: ['A=1'], Entrypoint: ['e'] });
  assert.deepEqual(applyConfigEdit(base, { kind: 'entrypoint', args: ['e'], keepCmd: true }), { Cmd: ['sh'], Env: ['A=1'], Entrypoint: ['e'] });
  assert.deepEqual(applyConfigEdit(base, { kind: 'volume', paths: ['/v'] }).Volumes, { '/v': {} });
  assert.throws(() => applyConfigEdit(base, { kind: 'volume', paths: [' '] }), /VOLUME specified can not be an empty string/);
  assert.deepEqual(base, { Cmd: ['sh'], Env: ['A=1'] });
});

test('onbuildTriggerError: Docker refuses ONBUILD, FROM, MAINTAINER', () => {
  assert.equal(onbuildTriggerError('run'), undefined);
  assert.match(onbuildTriggerError('onbuild')!, /Chaining ONBUILD/);
  assert.equal(onbuildTriggerError('from'), "FROM isn't allowed as an ONBUILD trigger");
  assert.equal(onbuildTriggerError(''), 'ONBUILD requires at least one argument');
});
