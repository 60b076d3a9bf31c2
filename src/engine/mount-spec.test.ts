import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byDepth, parseBind, parseMountEntry, parseVolumesFrom, tmpfsOptions, validMode } from './mount-spec.js';

test('parseBind: anonymous, named (mode "z" by default) and bind (rprivate by default)', () => {
  assert.deepEqual(parseBind('/anon'), { type: 'volume', destination: '/anon', mode: '', rw: true, propagation: '', copyData: true, anonymous: true });
  assert.deepEqual(parseBind('v1:/v'), { type: 'volume', name: 'v1', destination: '/v', mode: 'z', rw: true, propagation: '', copyData: true });
  assert.deepEqual(parseBind('v1:/v:ro,nocopy'), { type: 'volume', name: 'v1', destination: '/v', mode: 'ro,nocopy', rw: false, propagation: '', copyData: false });
  assert.deepEqual(parseBind('/h:/x:ro'), { type: 'bind', source: '/h', destination: '/x', mode: 'ro', rw: false, propagation: 'rprivate', copyData: false });
  assert.equal(parseBind('/h:/x:rw,rslave').propagation, 'rslave');
});

test('parseBind: Docker\'s wording for bad specs', () => {
  assert.throws(() => parseBind('v1:rel'), { message: "invalid volume specification: 'v1:rel': invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute" });
  assert.throws(() => parseBind('/h:/x:foo'), { message: 'invalid mode: foo' });
  assert.throws(() => parseBind('a:b:c:d'), { message: "invalid volume specification: 'a:b:c:d'" });
  assert.throws(() => parseBind(':/x'), { message: "invalid volume specification: ':/x'" });
});

test('validMode: one word of each kind', () => {
  assert.ok(validMode('rw,z'));
  assert.ok(!validMode('ro,rw'));
  assert.ok(!validMode('shared,slave'));
});

test('parseMountEntry: each type and its refusals', () => {
  assert.deepEqual(parseMountEntry({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } }),
    { type: 'tmpfs', destination: '/t', mode: '', rw: true, propagation: '', copyData: false, tmpfs: { sizeBytes: 1048576, mode: 0o1770 } });
  assert.deepEqual(parseMountEntry({ Type: 'volume', Target: '/v', ReadOnly: true, VolumeOptions: { NoCopy: true } }),
    { type: 'volume', anonymous: true, destination: '/v', mode: 'z', rw: false, propagation: '', copyData: false });
  assert.equal(parseMountEntry({ Type: 'bind', Source: '/h', Target: '/b', BindOptions: { Propagation: 'rslave' } }).propagation, 'rslave');
  assert.throws(() => parseMountEntry({ Type: 'foo', Target: '/x' }), { message: 'invalid mount config for type "foo": mount type unknown' });
  assert.throws(() => parseMountEntry({ Type: 'bind', Target: '/x' }), { message: 'invalid mount config for type "bind": field Source must not be empty' });
  assert.throws(() => parseMountEntry({ Type: 'tmpfs', Source: 'x', Target: '/x' }), { message: 'invalid mount config for type "tmpfs": field Source must not be specified' });
  assert.throws(() => parseMountEntry({ Type: 'volume' }), { message: 'invalid mount config for type "volume": field Target must not be empty' });
});

test('parseVolumesFrom, tmpfsOptions, byDepth', () => {
  assert.deepEqual(parseVolumesFrom('c1:ro'), { container: 'c1', mode: 'ro' });
  assert.deepEqual(parseVolumesFrom('c1'), { container: 'c1', mode: '' });
  assert.throws(() => parseVolumesFrom('c1:xx'), { message: 'invalid mode for volumes-from: xx' });
  assert.deepEqual(tmpfsOptions({ type: 'tmpfs', destination: '/t', mode: '', rw: true, propagation: '', copyData: false, tmpfs: { sizeBytes: 1024, mode: 0o700 } }),
    ['noexec', 'nosuid', 'nodev', 'size=1024', 'mode=700']);
  assert.deepEqual(byDepth([{ destination: '/a/b/c' }, { destination: '/a' }, { destination: '/a/b' }]).map((m) => m.destination), ['/a', '/a/b', '/a/b/c']);
});
