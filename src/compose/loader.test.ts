import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { interpolate } from './interpolate.js';
import { parseDotEnv } from './dotenv.js';
import { loadProject } from './loader.js';
import { parsePortShort, parseVolumeShort } from './short-syntax.js';
import { serviceHash } from './hash.js';

const env: Record<string, string> = { A: 'a', EMPTY: '' };
const look = (k: string): string | undefined => env[k];

test('interpolation: forms, defaults, nesting, $$, required', () => {
  assert.equal(interpolate('$A ${A} ${B:-d} ${EMPTY:-d} ${EMPTY-d} ${A:+alt} ${B+alt} $$A', look), 'a a d d  alt  $A');
  assert.equal(interpolate('${B:-${A}x}', look), 'ax');
  assert.throws(() => interpolate('${B:?need B}', look, 'services.web.image'), /error while interpolating services.web.image: required variable B is missing a value: need B/);
  assert.throws(() => interpolate('${A', look), /invalid interpolation format/);
});

test('.env: comments, quotes, export, references', () => {
  assert.deepEqual(parseDotEnv('# c\nexport X=1\nY="a\\nb"\nZ=\'$X\'\nW=${X}2 # note\n'), { X: '1', Y: 'a\nb', Z: '$X', W: '12' });
});

test('short syntax: ports and volumes', () => {
  assert.deepEqual(parsePortShort('127.0.0.1:8080:80/udp'), [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'udp' }]);
  assert.equal(parsePortShort('3000-3001:4000-4001').length, 2);
  assert.deepEqual(parseVolumeShort('data:/d:ro', '/p'), { type: 'volume', source: 'data', target: '/d', read_only: true, volume: {} });
  assert.deepEqual(parseVolumeShort('./src:/app', '/p'), { type: 'bind', source: '/p/src', target: '/app', bind: { create_host_path: true } });
});

test('loader: override merge, profiles, errors before anything runs', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-unit-'));
  try {
    writeFileSync(path.join(dir, 'compose.yaml'), 'version: "3"\nservices:\n  web:\n    image: busybox\n    command: a b\n    environment: [X=1]\n    ports: ["80"]\n  dbg:\n    image: busybox\n    profiles: [debug]\n');
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    command: [c]\n    environment: {Y: "2"}\n    ports: ["81"]\n');
    const p = loadProject({ cwd: dir, env: {} });
    assert.equal(p.name, path.basename(dir).toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    const web = p.services.web!;
    assert.deepEqual(web.command, ['c']);
    assert.deepEqual(web.environment, { X: '1', Y: '2' });
    assert.deepEqual(web.ports?.map((x) => x.target), [80, 81]);
    assert.deepEqual(Object.keys(p.services), ['web']);
    assert.deepEqual(Object.keys(loadProject({ cwd: dir, env: {}, profiles: ['debug'] }).services), ['dbg', 'web']);
    assert.equal(p.networks.default?.name, `${p.name}_default`);
    assert.equal(serviceHash(web), serviceHash({ ...web, scale: 3, depends_on: {} }), 'scale and depends_on stay out of the hash');
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    depends_on: [nope]\n');
    assert.throws(() => loadProject({ cwd: dir, env: {} }), /service "web" depends on undefined service "nope"/);
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    depends_on: [dbg2]\n  dbg2:\n    image: x\n    depends_on: [web]\n');
    assert.throws(() => loadProject({ cwd: dir, env: {} }), /dependency cycle detected: dbg2 -> web -> dbg2/);
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  web:\n    bogus: 1\n');
    assert.throws(() => loadProject({ cwd: dir, env: {} }), { message: `validating ${path.join(dir, 'compose.override.yaml')}: services.web Additional property bogus is not allowed` });
    writeFileSync(path.join(dir, 'compose.override.yaml'), 'services:\n  other:\n    image: busybox\n    ports: ["80:80"]\n  web:\n    ports: ["80:80"]\n');
    assert.throws(() => loadProject({ cwd: dir, env: {} }), /both publish 0.0.0.0:80\/tcp/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
