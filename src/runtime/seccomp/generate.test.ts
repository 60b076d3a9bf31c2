import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from '../../errdefs/index.js';
import { DEFAULT_CAPABILITIES } from '../spec_defaults.js';
import { CLONE_NAMESPACE_FLAGS, DEFAULT_SECCOMP_PROFILE } from './default-profile.js';
import { kernelAtLeast, parseSeccompProfile, resolveSeccomp } from './generate.js';
import type { OciSeccomp } from './types.js';

const CLONE_NEWNS = 0x00020000;
const CLONE_THREAD_FLAGS = 0x003d0f00; // what pthread_create passes

/** What the filter does with one call: the first rule naming it whose args all match, else the default. */
function verdict(s: OciSeccomp, name: string, args: number[] = []): string {
  for (const r of s.syscalls ?? []) {
    if (!r.names.includes(name)) continue;
    const ok = (r.args ?? []).every((a) => {
      const v = args[a.index] ?? 0;
      switch (a.op) {
        case 'SCMP_CMP_EQ': return v === a.value;
        case 'SCMP_CMP_NE': return v !== a.value;
        case 'SCMP_CMP_MASKED_EQ': return (v & a.value) === (a.valueTwo ?? 0);
        default: throw new Error(`op ${a.op}`);
      }
    });
    if (ok) return r.errnoRet !== undefined ? `${r.action}:${r.errnoRet}` : r.action;
  }
  return `${s.defaultAction}:${s.defaultErrnoRet}`;
}

const ctx = (caps: readonly string[]) => ({ capabilities: caps, arch: 'amd64', kernel: '6.1.0-18-amd64' });
const dflt = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, ctx(DEFAULT_CAPABILITIES))!;
const admin = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, ctx([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']))!;

test('default profile: EPERM by default, x86_64 with its 32-bit sub-arches', () => {
  assert.equal(dflt.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(dflt.defaultErrnoRet, 1);
  assert.deepEqual(dflt.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
});

test('default profile allows the ordinary syscalls', () => {
  for (const name of ['read', 'write', 'openat', 'execve', 'mkdir', 'chown', 'wait4', 'arch_prctl', 'modify_ldt', 'chroot', 'ptrace']) {
    assert.equal(verdict(dflt, name), 'SCMP_ACT_ALLOW', name);
  }
  assert.equal(verdict(dflt, 'socket', [2]), 'SCMP_ACT_ALLOW');
  assert.equal(verdict(dflt, 'socket', [40]), 'SCMP_ACT_ERRNO:1', 'AF_VSOCK refused');
  assert.equal(verdict(dflt, 'clone', [CLONE_THREAD_FLAGS]), 'SCMP_ACT_ALLOW');
  assert.equal(verdict(dflt, 'personality', [0xffffffff]), 'SCMP_ACT_ALLOW');
  assert.equal(verdict(dflt, 'personality', [0x0400000]), 'SCMP_ACT_ERRNO:1');
});

test('default profile blocks mount, unshare, namespace clones, kexec_load; CAP_SYS_ADMIN opens the first three', () => {
  for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'kexec_load', 'reboot', 'init_module', 'open_by_handle_at']) {
    assert.equal(verdict(dflt, name), 'SCMP_ACT_ERRNO:1', name);
  }
  assert.equal(verdict(dflt, 'clone', [CLONE_NEWNS]), 'SCMP_ACT_ERRNO:1');
  assert.equal(verdict(dflt, 'clone3'), 'SCMP_ACT_ERRNO:38', 'ENOSYS so libc falls back to clone');
  for (const name of ['mount', 'unshare', 'setns', 'clone3']) assert.equal(verdict(admin, name), 'SCMP_ACT_ALLOW', name);
  assert.equal(verdict(admin, 'clone', [CLONE_NEWNS]), 'SCMP_ACT_ALLOW');
  assert.equal(verdict(admin, 'kexec_load'), 'SCMP_ACT_ERRNO:1', 'no capability opens kexec_load');
  assert.equal(CLONE_NAMESPACE_FLAGS, 2114060288);
});

test('capability groups follow the container caps', () => {
  const caps = [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE', 'CAP_SYS_TIME', 'CAP_SYS_BOOT', 'CAP_SYS_MODULE'];
  const s = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, ctx(caps))!;
  for (const name of ['kcmp', 'settimeofday', 'reboot', 'finit_module']) assert.equal(verdict(s, name), 'SCMP_ACT_ALLOW', name);
  const noChroot = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, ctx(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT')))!;
  assert.equal(verdict(noChroot, 'chroot'), 'SCMP_ACT_ERRNO:1');
});

test('arch and kernel conditions', () => {
  const arm = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, { ...ctx(DEFAULT_CAPABILITIES), arch: 'arm64' })!;
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.equal(verdict(arm, 'arch_prctl'), 'SCMP_ACT_ERRNO:1');
  assert.equal(verdict(arm, 'set_tls'), 'SCMP_ACT_ALLOW');
  const old = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, { ...ctx(DEFAULT_CAPABILITIES), kernel: '4.4.0' })!;
  assert.equal(verdict(old, 'ptrace'), 'SCMP_ACT_ERRNO:1');
  assert.equal(kernelAtLeast('6.18.44-fc', '4.8'), true);
  assert.equal(kernelAtLeast('4.7.1', '4.8'), false);
});

test('user profiles: parsed, empty means unconfined, contradictions refused', () => {
  const p = parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"mkdir","action":"SCMP_ACT_ERRNO"}]}');
  const s = resolveSeccomp(p, ctx(DEFAULT_CAPABILITIES))!;
  assert.deepEqual(s, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  assert.equal(resolveSeccomp(parseSeccompProfile('{}'), ctx([])), undefined);
  assert.throws(() => parseSeccompProfile('{nope'), (e) => e instanceof InvalidArgument && /^Decoding seccomp profile failed: /.test(e.message));
  assert.throws(
    () => resolveSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }] }, ctx([])),
    /use either 'architectures' or 'archMap'/,
  );
});
