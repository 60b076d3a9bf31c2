import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mountArgs, needsMount, validateLocalOptions } from './local-options.js';
import { validateVolumeName } from './names.js';

test('validateLocalOptions: moby\'s keys and wording', () => {
  validateLocalOptions({});
  validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  assert.throws(() => validateLocalOptions({ foo: 'bar' }), { message: 'invalid option: "foo"' });
  assert.throws(() => validateLocalOptions({ type: 'tmpfs' }), { message: 'missing required option: "device"' });
});

test('mountArgs and needsMount', () => {
  assert.deepEqual(mountArgs({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' }, '/v/_data'), ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', '/v/_data']);
  assert.deepEqual(mountArgs({ type: 'none', device: '/src', o: 'bind' }, '/d'), ['-t', 'none', '-o', 'bind', '/src', '/d']);
  assert.equal(needsMount({}), false);
  assert.equal(needsMount({ type: 'tmpfs', device: 'tmpfs' }), true);
});

test('validateVolumeName: Docker\'s rule and wording', () => {
  assert.equal(validateVolumeName('my_vol-1.x'), 'my_vol-1.x');
  assert.throws(() => validateVolumeName('a'), { message: 'volume name is too short, names should be at least two alphanumeric characters' });
  assert.throws(() => validateVolumeName('-x'), /includes invalid characters for a local volume name/);
  assert.throws(() => validateVolumeName('a/b'), /If you intended to pass a host directory, use absolute path$/);
});
