import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from '../errdefs/index.js';
import { CAPABILITY_NAMES, capabilitiesFromMask, capabilityMask, effectiveCapabilities } from './capabilities.js';
import { DEFAULT_CAPABILITIES } from './spec_defaults.js';

const HOST = capabilitiesFromMask('000001fffeffffff'); // this VM: all but CAP_SYS_RESOURCE

test("Docker's default set is CapEff 00000000a80425fb", () => {
  assert.equal(capabilityMask(DEFAULT_CAPABILITIES), '00000000a80425fb');
  assert.deepEqual(effectiveCapabilities({ add: [], drop: [], privileged: false, available: HOST }), [...DEFAULT_CAPABILITIES]);
});

test('host bounding set read from a status mask', () => {
  assert.equal(HOST.length, CAPABILITY_NAMES.length - 1);
  assert.ok(!HOST.includes('CAP_SYS_RESOURCE'));
  assert.equal(capabilityMask(HOST), '000001fffeffffff');
});

test('cap-add / cap-drop with or without CAP_, any case, and ALL', () => {
  const caps = effectiveCapabilities({ add: ['sys_admin'], drop: ['CAP_CHOWN', 'net_raw'], privileged: false, available: HOST });
  assert.ok(caps.includes('CAP_SYS_ADMIN'));
  assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_NET_RAW'));
  assert.deepEqual(effectiveCapabilities({ add: ['KILL'], drop: ['ALL'], privileged: false, available: HOST }), ['CAP_KILL']);
  assert.deepEqual(effectiveCapabilities({ add: ['ALL'], drop: ['MKNOD'], privileged: false, available: HOST }), HOST.filter((c) => c !== 'CAP_MKNOD'));
  assert.deepEqual(effectiveCapabilities({ add: [], drop: [], privileged: true, available: HOST }), HOST);
});

test("unknown or unavailable capabilities are refused in moby's words", () => {
  assert.throws(() => effectiveCapabilities({ add: ['FOO'], drop: [], privileged: false, available: HOST }),
    (e) => e instanceof InvalidArgument && e.message === 'invalid CapAdd: unknown capability: "CAP_FOO"');
  assert.throws(() => effectiveCapabilities({ add: [], drop: ['bar'], privileged: false, available: HOST }), { message: 'invalid CapDrop: unknown capability: "CAP_BAR"' });
  assert.throws(() => effectiveCapabilities({ add: ['SYS_RESOURCE'], drop: [], privileged: false, available: HOST }),
    { message: 'invalid CapAdd: capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"' });
});
