import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familiarName, normalizeReference, parseNormalizedNamed } from './reference.js';
import { isKind } from '../errdefs/index.js';

const D = 'sha256:' + 'a'.repeat(64);

test('normalizeReference: table of valid references', () => {
  const cases: Array<[string, string]> = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/busybox:x', 'docker.io/library/busybox:x'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['user/app/sub:v1', 'docker.io/user/app/sub:v1'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['localhost:5000/x:tag', 'localhost:5000/x:tag'],
    ['127.0.0.1:5000/a/b', '127.0.0.1:5000/a/b:latest'],
    ['example.com/a', 'example.com/a:latest'],
    ['Example.com/a', 'Example.com/a:latest'],
    ['[::1]:5000/a', '[::1]:5000/a:latest'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`],
    ['a_b.c-d__e---f', 'docker.io/library/a_b.c-d__e---f:latest'],
    ['x:Tag_1.2-3', 'docker.io/library/x:Tag_1.2-3'],
    ['x:' + 'a'.repeat(128), 'docker.io/library/x:' + 'a'.repeat(128)],
  ];
  for (const [input, want] of cases) assert.equal(normalizeReference(input), want, input);
});

test('parseNormalizedNamed: invalid references give Docker errors (InvalidArgument)', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /^invalid reference format: repository name must have at least one component$/],
    ['Busybox', /^invalid reference format: repository name \(library\/Busybox\) must be lowercase$/],
    ['user/App', /^invalid reference format: repository name \(user\/App\) must be lowercase$/],
    ['a:b:c', /^invalid reference format$/],
    ['x:.tag', /^invalid reference format$/],
    ['x:' + 'a'.repeat(129), /^invalid reference format$/],
    ['-x', /^invalid reference format$/],
    ['x_', /^invalid reference format$/],
    ['x___y', /^invalid reference format$/],
    ['x//y', /^invalid reference format$/],
    ['x@sha256:abc', /^invalid reference format$/],
    ['x@sha256:' + 'a'.repeat(63), /invalid checksum digest length/],
    ['a'.repeat(64), /cannot specify 64-byte hexadecimal strings/],
    ['x y', /^invalid reference format$/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseNormalizedNamed(input),
      (err: unknown) => isKind(err, 'invalid-argument') && re.test((err as Error).message),
      input,
    );
  }
});

test('familiarName: display form as Docker prints it', () => {
  const cases: Array<[string, string]> = [
    ['docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/library/busybox', 'busybox'],
    ['docker.io/user/app:1', 'user/app:1'],
    ['docker.io/library/a/b:1', 'library/a/b:1'],
    ['localhost:5000/x:latest', 'localhost:5000/x:latest'],
    [`docker.io/library/busybox@${D}`, `busybox@${D}`],
  ];
  for (const [input, want] of cases) assert.equal(familiarName(input), want, input);
});
