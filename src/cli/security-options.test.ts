import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError } from './flags.js';
import { normalizeCaps, parseDevice, parseSecurityOpts, parseTmpfs } from './security-options.js';

test('capabilities normalised as the docker CLI does', () => {
  assert.deepEqual(normalizeCaps(['sys_admin', 'CAP_NET_ADMIN', 'sys_admin']), ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN']);
  assert.deepEqual(normalizeCaps(['chown', 'all']), ['ALL']);
});

test('security options: a seccomp file is sent as compact JSON; bad ones refused', () => {
  const files: Record<string, string> = { '/p.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW"\n}\n', '/bad.json': '{nope' };
  const read = (p: string) => { if (!(p in files)) throw new Error(`open ${p}: no such file or directory`); return files[p]!; };
  assert.deepEqual(parseSecurityOpts(['seccomp=/p.json', 'no-new-privileges', 'seccomp=unconfined'], read),
    ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}', 'no-new-privileges', 'seccomp=unconfined']);
  assert.throws(() => parseSecurityOpts(['foo'], read), (e) => e instanceof FlagError && e.message === 'Invalid --security-opt: "foo"');
  assert.throws(() => parseSecurityOpts(['seccomp=/none'], read), { message: 'opening seccomp profile (/none) failed: open /none: no such file or directory' });
  assert.throws(() => parseSecurityOpts(['seccomp=/bad.json'], read), { message: /^compacting json for seccomp profile \(\/bad\.json\) failed: / });
});

test('--device forms and errors', () => {
  assert.deepEqual(parseDevice('/dev/null'), { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' });
  assert.deepEqual(parseDevice('/dev/null:r'), { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'r' });
  assert.deepEqual(parseDevice('/dev/null:/dev/x:rw'), { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rw' });
  assert.throws(() => parseDevice('/dev/null:rel'), { message: 'rel is not an absolute path' });
  assert.throws(() => parseDevice('/dev/null:/x:rwz'), { message: 'bad mode specified: rwz' });
  assert.throws(() => parseDevice(':/x'), { message: 'bad format for path: :/x' });
});

test('--tmpfs path[:options]', () => {
  assert.deepEqual(parseTmpfs(['/tmp', '/run:size=1m,mode=700']), { '/tmp': '', '/run': 'size=1m,mode=700' });
});
