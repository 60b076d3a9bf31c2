import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProject } from './loader.js';
import { validateSchema } from './schema.js';

/** The message validateSchema throws for `doc`, or 'ok'. */
function verdict(doc: unknown): string {
  try {
    validateSchema(doc, 'compose.yaml');
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

const web = (extra: Record<string, unknown>): unknown => ({ services: { web: { image: 'busybox', ...extra } } });

test('schema: compose-go wording for the most specific error', () => {
  const cases: [unknown, string][] = [
    [web({ ports: '8080:80' }), 'services.web.ports must be a list'],
    [web({ foo: 1 }), 'services.web Additional property foo is not allowed'],
    [{ helicopters: {} }, '(root) Additional property helicopters is not allowed'],
    [web({ build: { context: '.', foo: 1 } }), 'services.web.build Additional property foo is not allowed'],
    [web({ environment: 5 }), 'services.web.environment must be a mapping or list'],
    [web({ command: { a: 1 } }), 'services.web.command must be a null, string or list'],
    [web({ image: ['x'] }), 'services.web.image must be a string'],
    [web({ volumes: [{ target: '/x' }] }), 'services.web.volumes.0 type is required'],
    [web({ ports: [{ target: 80, foo: 1 }] }), 'services.web.ports.0 Additional property foo is not allowed'],
    [web({ healthcheck: { interval: '10x' } }), "services.web.healthcheck.interval Does not match format 'duration'"],
    [web({ depends_on: { db: { condition: 'bogus' } } }), 'services.web.depends_on.db.condition must be one of the following: "service_started", "service_healthy", "service_completed_successfully"'],
    [web({ deploy: { replicas: 'two' } }), 'services.web.deploy.replicas must be a integer'],
    [{ services: { 'we b': { image: 'x' } } }, 'services Additional property we b is not allowed'],
    [{ volumes: { data: { driver: 'local', size: 1 } } }, 'volumes.data Additional property size is not allowed'],
    [{ name: 'Bad' }, "name Does not match pattern '^[a-z0-9][a-z0-9_-]*$'"],
  ];
  for (const [doc, want] of cases) assert.equal(verdict(doc), `validating compose.yaml: ${want}`);
});

test('schema: what Compose v2 accepts passes (x- keys, newer keys, strings cast as compose-go casts them)', () => {
  for (const doc of [
    { version: '3.8', name: 'demo', 'x-common': { a: 1 }, include: ['other.yaml', { path: ['a.yaml'], project_directory: '.' }], services: {} },
    web({ 'x-note': 1, read_only: 'true', ports: [8080, '80:80', { target: 80, published: '8080', app_protocol: 'http' }], command: null }),
    web({ env_file: [{ path: '.env', required: false }], depends_on: { db: { condition: 'service_healthy', required: false, restart: true } } }),
    web({ healthcheck: { test: 'true', interval: '1m30s', start_interval: '1s' }, deploy: { replicas: '2' }, develop: { watch: [] } }),
    web({ build: { context: '.', tags: ['a:1'], no_cache: true }, volumes: ['d:/d', { type: 'volume', source: 'd', target: '/e', volume: { subpath: 'x' } }] }),
    { services: { web: { image: 'x' } }, volumes: { data: null }, networks: { front: null }, secrets: { s: { file: './s' } } },
    web({ deploy: { resources: { limits: { cpus: '0.5', memory: '64m', pids: 100 } } }, networks: { front: { aliases: ['w'], mac_address: '02:42:ac:11:00:02', gw_priority: 1 } } }),
    { networks: { front: { driver: 'bridge', enable_ipv4: true, ipam: { config: [{ subnet: '10.9.0.0/24' }], options: { a: 'b' } } } } },
  ]) assert.equal(verdict(doc), 'ok', JSON.stringify(doc));
});

test('schema: each file is validated alone, after interpolation, before merging', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compose-schema-'));
  try {
    const base = path.join(dir, 'compose.yaml');
    const over = path.join(dir, 'compose.override.yaml');
    writeFileSync(base, 'services:\n  web:\n    image: busybox\n    read_only: ${RO}\n    deploy:\n      replicas: ${N:-1}\n');
    // An override holds only the keys it changes: valid alone, as the spec wants.
    writeFileSync(over, 'services:\n  web:\n    environment: [A=1]\n');
    const p = loadProject({ cwd: dir, env: { RO: 'true' } });
    assert.equal(p.services.web?.read_only, true);
    assert.throws(() => loadProject({ cwd: dir, env: { RO: 'true', N: 'x' } }), { message: `validating ${base}: services.web.deploy.replicas must be a integer` });
    writeFileSync(over, 'services:\n  web:\n    environment: ${ENV}\n');
    assert.throws(() => loadProject({ cwd: dir, env: { RO: 'true', ENV: 'A=1' } }), { message: `validating ${over}: services.web.environment must be a mapping or list` });
    writeFileSync(over, 'services:\n  web:\n    ports: "80:80"\n');
    assert.throws(() => loadProject({ cwd: dir, env: { RO: 'false' } }), { message: `validating ${over}: services.web.ports must be a list` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
