// extends (same file, another file, chains, cycles) and include (own directory, name
// conflicts) resolved into the expected models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProject } from './loader.js';
import { runService } from './oneoff.js';

function project(files: Record<string, string>): { dir: string; done(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-ext-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('extends: same file and chained; the child wins, maps merge, depends_on is not inherited', () => {
  const p = project({
    'compose.yaml': 'services:\n  base:\n    image: busybox\n    environment: {A: "1", B: "1"}\n    command: [base]\n    depends_on: [dep]\n  mid:\n    extends: base\n    environment: {B: "2"}\n  web:\n    extends: {service: mid}\n    command: [web]\n    labels: {x: y}\n  dep:\n    image: busybox\n',
  });
  try {
    const m = loadProject({ cwd: p.dir, env: {} });
    const web = m.services.web!;
    assert.equal(web.image, 'busybox');
    assert.deepEqual(web.environment, { A: '1', B: '2' });
    assert.deepEqual(web.command, ['web']);
    assert.deepEqual(web.labels, { x: 'y' });
    assert.equal(web.depends_on, undefined);
    assert.deepEqual(m.services.mid!.command, ['base']);
  } finally { p.done(); }
});

test('extends: from another file, relative paths resolved against that file', () => {
  const p = project({
    'compose.yaml': 'services:\n  web:\n    extends:\n      file: common/base.yaml\n      service: app\n    ports: ["8080:80"]\n',
    'common/base.yaml': 'services:\n  app:\n    image: busybox\n    build: ./ctx\n    environment: [FROM_BASE=1]\n',
    'common/ctx/Dockerfile': 'FROM busybox\n',
  });
  try {
    const web = loadProject({ cwd: p.dir, env: {} }).services.web!;
    assert.equal(web.build?.context, path.join(p.dir, 'common/ctx'));
    assert.deepEqual(web.environment, { FROM_BASE: '1' });
    assert.deepEqual(web.ports?.map((x) => [x.published, x.target]), [['8080', 80]]);
  } finally { p.done(); }
});

test('extends: cycles and missing bases are errors', () => {
  const p = project({ 'compose.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: x\n    extends: a\n' });
  try {
    assert.throws(() => loadProject({ cwd: p.dir, env: {} }), /circular reference with extends/);
    writeFileSync(path.join(p.dir, 'compose.yaml'), 'services:\n  a:\n    image: x\n    extends: nope\n');
    assert.throws(() => loadProject({ cwd: p.dir, env: {} }), /service not found/);
  } finally { p.done(); }
});

test('include: the included project keeps its own directory; its resources merge in; names may not clash', () => {
  const p = project({
    'compose.yaml': 'include:\n  - sub/compose.yaml\nservices:\n  web:\n    image: busybox\n    depends_on: [db]\n',
    'sub/compose.yaml': 'services:\n  db:\n    image: busybox\n    volumes: ["./data:/data", "dbdata:/var/db"]\nvolumes:\n  dbdata: {}\n',
  });
  try {
    const m = loadProject({ cwd: p.dir, env: {} });
    assert.deepEqual(Object.keys(m.services).sort(), ['db', 'web']);
    assert.equal(m.services.db!.volumes?.[0]?.source, path.join(p.dir, 'sub/data'));
    assert.equal(m.volumes.dbdata?.name, `${m.name}_dbdata`);
    assert.equal(m.name, path.basename(p.dir).toLowerCase().replace(/[^a-z0-9_-]/g, ''));
    writeFileSync(path.join(p.dir, 'compose.yaml'), 'include:\n  - sub/compose.yaml\nservices:\n  db:\n    image: busybox\n');
    assert.throws(() => loadProject({ cwd: p.dir, env: {} }), /services.db conflicts with imported resource/);
  } finally { p.done(); }
});

test('run: the one-off service drops ports and restart, adds -e over the environment', () => {
  const s = { name: 'web', image: 'busybox', command: ['a'], entrypoint: null, restart: 'always', environment: { A: '1' }, ports: [{ mode: 'ingress', target: 80, protocol: 'tcp', published: '8080' }] };
  const r = runService(s, { service: 'web', command: ['b'], env: ['A=2', 'B=3'], tty: false, interactive: true });
  assert.deepEqual([r.command, r.environment, r.ports, r.restart, r.stdin_open, r.tty], [['b'], { A: '2', B: '3' }, [], undefined, true, false]);
  assert.deepEqual(runService(s, { service: 'web', servicePorts: true, tty: false, interactive: false }).ports, s.ports);
});
