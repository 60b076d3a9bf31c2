import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateSpec } from './spec.js';
import type { SpecInput, SpecSecurity } from './types.js';

const base: SpecInput = {
  rootfs: '/r', readonlyRootfs: false, args: ['sh'], env: [], cwd: '/', user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
  hostname: 'h', tty: false, openStdin: false, network: { kind: 'private' }, pid: { kind: 'private' }, ipc: { kind: 'private' },
  uts: { kind: 'private' }, etcFiles: { hostname: '/e/h', hosts: '/e/hosts', resolvConf: '/e/r' }, cgroupsPath: '/wharf/x',
};
const sec = (over: Partial<SpecSecurity> = {}): SpecSecurity => ({
  capabilities: ['CAP_CHOWN'], privileged: false, noNewPrivileges: false, devices: [], groupAdd: [], ...over,
});

test('capabilities, no-new-privileges and the seccomp section', () => {
  const spec = generateSpec({ ...base, security: sec({ noNewPrivileges: true, seccomp: { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1 } }) });
  assert.deepEqual(spec.process.capabilities, { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'] });
  assert.equal(spec.process.noNewPrivileges, true);
  assert.deepEqual(spec.linux.seccomp, { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 1 });
  assert.equal(generateSpec({ ...base, security: sec() }).linux.seccomp, undefined);
});

test('privileged: no masked or read-only paths, rw /sys and cgroup, whole device cgroup', () => {
  const spec = generateSpec({ ...base, security: sec({ privileged: true, devices: [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11, fileMode: 0o644, uid: 0, gid: 0, permissions: 'rwm' }] }) });
  assert.deepEqual(spec.linux.maskedPaths, []);
  assert.deepEqual(spec.linux.readonlyPaths, []);
  assert.ok(!spec.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'));
  assert.ok(!spec.mounts.find((m) => m.destination === '/sys/fs/cgroup')!.options.includes('ro'));
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.ok(spec.linux.devices.some((d) => d.path === '/dev/kmsg'));
});

test('--device adds the node and a cgroup rule with its permissions; --group-add extends the groups', () => {
  const spec = generateSpec({ ...base, security: sec({ groupAdd: [123], devices: [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0, permissions: 'r' }] }) });
  assert.deepEqual(spec.linux.resources.devices.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'r' });
  assert.deepEqual(spec.process.user.additionalGids, [123]);
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
});

test('--init: tini is PID 1 from a read-only bind, the command after --', () => {
  const spec = generateSpec({ ...base, args: ['sleep', '1'], security: sec({ initPath: '/usr/bin/tini-static' }) });
  assert.deepEqual(spec.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
  assert.deepEqual(spec.mounts.at(-1), { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro'] });
});
