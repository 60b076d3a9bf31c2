import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMount, splitVolumes } from './mount-options.js';

test('parseMount: docker\'s CSV keys', () => {
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  assert.deepEqual(parseMount('source=v6,dst=/v6,readonly,volume-nocopy,volume-opt=type=tmpfs'),
    { Type: 'volume', Source: 'v6', Target: '/v6', ReadOnly: true, VolumeOptions: { NoCopy: true, DriverConfig: { Options: { type: 'tmpfs' } } } });
  assert.deepEqual(parseMount('type=bind,src=/h,target=/b,bind-propagation=rslave,ro=false'), { Type: 'bind', Source: '/h', Target: '/b', ReadOnly: false, BindOptions: { Propagation: 'rslave' } });
});

test('parseMount: refusals with docker\'s wording', () => {
  assert.throws(() => parseMount('type=volume,target=/x,bind-propagation=rslave'),
    { message: 'invalid argument "type=volume,target=/x,bind-propagation=rslave" for "--mount" flag: cannot mix \'bind-*\' options with mount type \'volume\'' });
  assert.throws(() => parseMount('type=volume'), /target is required/);
  assert.throws(() => parseMount('type=bind,target=/x,bogus=1'), /unexpected key 'bogus'/);
});

test('splitVolumes: -v /path is an anonymous volume, the rest are binds', () => {
  assert.deepEqual(splitVolumes(['/anon', 'v:/x', '/h:/y:ro']), { binds: ['v:/x', '/h:/y:ro'], volumes: { '/anon': {} } });
});
