import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptySpec, generateSpec } from './spec.js';
import {
  replaceOrAppendEnv,
  withCapabilities,
  withCgroupsPath,
  withDefaultDevices,
  withDefaultMounts,
  withEnv,
  withEtcFiles,
  withHostname,
  withIpcMounts,
  withMaskedPaths,
  withMounts,
  withNamespaces,
  withProcessArgs,
  withProcessCwd,
  withReadonlyPaths,
  withRootfs,
  withTTY,
  withUser,
} from './spec_opts.js';
import type { SpecInput } from './types.js';

const priv = { kind: 'private' } as const;
const host = { kind: 'host' } as const;

test('withProcessArgs copies the args', () => {
  const spec = emptySpec();
  const args = ['sh', '-c', 'echo hi'];
  withProcessArgs(args)(spec);
  args.push('x');
  assert.deepEqual(spec.process.args, ['sh', '-c', 'echo hi']);
});

test('withProcessCwd defaults an empty cwd to /', () => {
  const spec = emptySpec();
  withProcessCwd('')(spec);
  assert.equal(spec.process.cwd, '/');
  withProcessCwd('/app')(spec);
  assert.equal(spec.process.cwd, '/app');
});

test('withRootfs and withTTY', () => {
  const spec = emptySpec();
  withRootfs('/r', { readonly: true })(spec);
  withTTY(true)(spec);
  assert.deepEqual(spec.root, { path: '/r', readonly: true });
  assert.equal(spec.process.terminal, true);
});

test('withUser sets additionalGids only when there are some', () => {
  const spec = emptySpec();
  withUser({ uid: 1000, gid: 100, additionalGids: [], home: '/home/u' })(spec);
  assert.deepEqual(spec.process.user, { uid: 1000, gid: 100 });
  withUser({ uid: 1, gid: 2, additionalGids: [3, 4], home: '/' })(spec);
  assert.deepEqual(spec.process.user, { uid: 1, gid: 2, additionalGids: [3, 4] });
});

test('withEnv puts Docker defaults first and lets the container override them', () => {
  const spec = emptySpec();
  withEnv(['FOO=bar', 'PATH=/x'], { hostname: 'h1', tty: false, home: '/root' })(spec);
  assert.deepEqual(spec.process.env, ['PATH=/x', 'HOSTNAME=h1', 'FOO=bar', 'HOME=/root']);
});

test('withEnv adds TERM=xterm with a tty, keeps an explicit HOME, unsets bare names', () => {
  const spec = emptySpec();
  withEnv(['HOME=/h', 'HOSTNAME'], { hostname: 'h1', tty: true, home: '/root' })(spec);
  assert.deepEqual(spec.process.env, [
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'TERM=xterm',
    'HOME=/h',
  ]);
});

test('replaceOrAppendEnv replaces in place and appends new keys', () => {
  assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A']), ['B=3', 'C=4']);
});

test('withNamespaces: private adds, host omits, path joins; mount is always private', () => {
  const spec = emptySpec();
  withNamespaces({ network: { kind: 'path', path: '/run/netns/x' }, pid: host, ipc: priv, uts: priv })(spec);
  assert.deepEqual(spec.linux.namespaces, [{ type: 'mount' }, { type: 'network', path: '/run/netns/x' }, { type: 'ipc' }, { type: 'uts' }]);
});

test('withHostname only with a private UTS namespace', () => {
  const spec = emptySpec();
  withNamespaces({ network: priv, pid: priv, ipc: priv, uts: priv })(spec);
  withHostname('abc')(spec);
  assert.equal(spec.hostname, 'abc');
  withNamespaces({ network: priv, pid: priv, ipc: priv, uts: host })(spec);
  withHostname('abc')(spec);
  assert.equal(spec.hostname, undefined);
});

test('withDefaultMounts mounts what Docker mounts', () => {
  const spec = emptySpec();
  withDefaultMounts()(spec);
  const byDest = new Map(spec.mounts.map((m) => [m.destination, m]));
  assert.deepEqual([...byDest.keys()].sort(), ['/dev', '/dev/mqueue', '/dev/pts', '/dev/shm', '/proc', '/sys', '/sys/fs/cgroup']);
  assert.ok(byDest.get('/dev/shm')!.options.includes('size=67108864'));
  assert.ok(byDest.get('/sys')!.options.includes('ro'));
  assert.ok(byDest.get('/sys/fs/cgroup')!.options.includes('ro'));
  assert.equal(byDest.get('/dev')!.type, 'tmpfs');
});

test('withIpcMounts binds the host /dev/shm and /dev/mqueue only for --ipc host', () => {
  const spec = emptySpec();
  withDefaultMounts()(spec);
  withIpcMounts(priv)(spec);
  assert.equal(spec.mounts.find((m) => m.destination === '/dev/shm')!.type, 'tmpfs');
  withIpcMounts(host)(spec);
  const shm = spec.mounts.filter((m) => m.destination === '/dev/shm');
  assert.equal(shm.length, 1);
  assert.deepEqual([shm[0].type, shm[0].source], ['bind', '/dev/shm']);
  assert.equal(spec.mounts.find((m) => m.destination === '/dev/mqueue')!.type, 'bind');
});

test('withEtcFiles bind-mounts the three files, read-only with a read-only rootfs', () => {
  const spec = emptySpec();
  withEtcFiles({ hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' }, { readonly: true })(spec);
  assert.deepEqual(
    spec.mounts.map((m) => [m.destination, m.source, m.type, m.options.join(',')]),
    [
      ['/etc/resolv.conf', '/c/resolv.conf', 'bind', 'rbind,rprivate,ro'],
      ['/etc/hostname', '/c/hostname', 'bind', 'rbind,rprivate,ro'],
      ['/etc/hosts', '/c/hosts', 'bind', 'rbind,rprivate,ro'],
    ],
  );
});

test('withMounts replaces a default on the same destination', () => {
  const spec = emptySpec();
  withDefaultMounts()(spec);
  withMounts([{ destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] }, { destination: '/data', type: 'bind', source: '/v', options: ['rbind'] }])(spec);
  assert.deepEqual(spec.mounts.find((m) => m.destination === '/dev/shm')!.options, ['size=1m']);
  assert.equal(spec.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(spec.mounts.at(-1)!.destination, '/data');
});

test('withCapabilities sets Docker\'s 14 default capabilities, no inheritable', () => {
  const spec = emptySpec();
  withCapabilities()(spec);
  assert.equal(spec.process.capabilities.bounding.length, 14);
  assert.ok(spec.process.capabilities.effective.includes('CAP_NET_BIND_SERVICE'));
  assert.ok(!spec.process.capabilities.permitted.includes('CAP_SYS_ADMIN'));
  assert.equal(spec.process.capabilities.inheritable, undefined);
});

test('withMaskedPaths and withReadonlyPaths use Docker\'s lists', () => {
  const spec = emptySpec();
  withMaskedPaths()(spec);
  withReadonlyPaths()(spec);
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(spec.linux.maskedPaths.includes('/sys/firmware'));
  assert.deepEqual(spec.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
});

test('withDefaultDevices denies all devices first, then allows the defaults', () => {
  const spec = emptySpec();
  withDefaultDevices()(spec);
  assert.deepEqual(spec.linux.devices.map((d) => d.path), ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
  assert.deepEqual(spec.linux.resources.devices[0], { allow: false, access: 'rwm' });
  assert.ok(spec.linux.resources.devices.some((r) => r.allow && r.major === 5 && r.minor === 2));
});

test('withCgroupsPath', () => {
  const spec = emptySpec();
  withCgroupsPath('/wharf/abc')(spec);
  assert.equal(spec.linux.cgroupsPath, '/wharf/abc');
});

test('generateSpec composes everything and applies extra options last', () => {
  const input: SpecInput = {
    rootfs: '/r',
    readonlyRootfs: false,
    args: ['true'],
    env: [],
    cwd: '',
    user: { uid: 0, gid: 0, additionalGids: [10], home: '/root' },
    hostname: 'abc',
    tty: false,
    openStdin: false,
    network: priv,
    pid: priv,
    ipc: priv,
    uts: priv,
    etcFiles: { hostname: '/c/h', hosts: '/c/hosts', resolvConf: '/c/r' },
    cgroupsPath: '/wharf/abc',
  };
  const spec = generateSpec(input, [(s) => (s.process.noNewPrivileges = true)]);
  assert.equal(spec.hostname, 'abc');
  assert.equal(spec.process.cwd, '/');
  assert.ok(spec.process.env.includes('HOSTNAME=abc'));
  assert.ok(spec.process.env.includes('HOME=/root'));
  assert.equal(spec.process.noNewPrivileges, true);
  assert.equal(spec.process.rlimits, undefined);
  assert.equal(spec.mounts.length, 10);
  assert.equal(spec.linux.namespaces.length, 5);
});
