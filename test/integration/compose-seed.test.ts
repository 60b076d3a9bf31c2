// wharf compose end to end on examples/compose-scalable (the seeds' compose chapter):
// up -d --build --force-recreate, DNS by service name, ps, logs, recreate only what
// changed, --scale, down -v leaving nothing. Also Debian's docker-compose v1 when present.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, run, startDaemon, type TestDaemon } from './harness.js';
import { freePort } from './net-helpers.js';

const EXAMPLE = path.join(REPO, 'examples/compose-scalable');

async function eventually<T>(fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('compose: the seed scenario', { concurrency: false }, () => {
  let d: TestDaemon;
  let dir: string;
  let port: number;
  const P = 'seed';
  const compose = (args: string[]) => d.wharf(['compose', '-p', P, '-f', path.join(dir, 'docker-compose.yml'), '-f', path.join(dir, 'docker-compose.override.yml'), ...args], { timeoutMs: 120_000 });

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-'));
    await fs.cp(EXAMPLE, dir, { recursive: true });
    port = await freePort();
    await fs.writeFile(path.join(dir, '.env'), `WEB_PORT=${port}\n`);
  });
  after(async () => {
    try {
      await compose(['down', '-v', '--remove-orphans', '-t', '0']);
      await d.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('config merges the override and reads .env', async () => {
    const r = await compose(['config']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^name: seed\n/);
    assert.match(r.stdout, new RegExp(`published: "${port}"`));
    assert.match(r.stdout, /STAGE: override/);
    assert.equal((await compose(['config', '--services'])).stdout, 'fetcher\nweb\n');
  });

  test('up -d --build --force-recreate creates network, volume, containers in order', async () => {
    const r = await compose(['up', '-d', '--build', '--force-recreate']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => /^ (Network|Volume|Container) /.test(l));
    assert.deepEqual(lines, [
      ' Network seed_default  Creating', ' Network seed_default  Created',
      ' Volume seed_hits  Creating', ' Volume seed_hits  Created',
      ' Container seed-web-1  Creating', ' Container seed-web-1  Created', ' Container seed-web-1  Starting', ' Container seed-web-1  Started',
      ' Container seed-fetcher-1  Creating', ' Container seed-fetcher-1  Created', ' Container seed-fetcher-1  Starting', ' Container seed-fetcher-1  Started',
    ]);
    const page = await eventually(async () => { const c = await run('curl', ['-fsS', '--max-time', '2', `http://127.0.0.1:${port}/`]); return c.code === 0 ? c.stdout : undefined; });
    assert.equal(page, 'hello from web\n');
    const labels = JSON.parse((await d.ok(['inspect', '--format', '{{json .Config.Labels}}', 'seed-web-1'], 'docker')).trim()) as Record<string, string>;
    assert.equal(labels['com.docker.compose.project'], 'seed');
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.equal(labels['com.docker.compose.project.working_dir'], dir);
    assert.equal(labels['com.docker.compose.project.config_files'], `${dir}/docker-compose.yml,${dir}/docker-compose.override.yml`);
    assert.equal(labels['example.stage'], 'override');
    assert.match(labels['com.docker.compose.config-hash'] ?? '', /^[0-9a-f]{64}$/);
    const hash = (await compose(['config', '--hash', 'web'])).stdout;
    assert.equal(hash, `web ${labels['com.docker.compose.config-hash']}\n`);
  });

  test('the fetcher reaches web by its service name; logs are prefixed', async () => {
    const out = await eventually(async () => {
      const r = await compose(['logs', 'fetcher']);
      return r.stdout.includes('hello from web') ? r.stdout : undefined;
    });
    assert.match(out.split('\n')[0] ?? '', /^fetcher-1 {2}\| /);
    const tail = await compose(['logs', '--tail', '1', 'fetcher']);
    assert.equal(tail.stdout.split('\n').length, 2);
    const stamped = await compose(['logs', '-t', '--tail', '1', 'fetcher']);
    assert.match(stamped.stdout, /^fetcher-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \S/);
    assert.equal(stamped.stdout.split('\n').length, 2);
    // --since/--until take docker's forms: a duration ago, a date.
    assert.equal((await compose(['logs', '--until', '2000-01-01T00:00:00Z', 'fetcher'])).stdout, '');
    assert.match((await compose(['logs', '--since', '1h', 'fetcher'])).stdout, /hello from web/);
  });

  test('ps lists both; -q, --services, --format json', async () => {
    const r = await compose(['ps']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0] ?? '', /^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$/);
    assert.match(rows[1] ?? '', /^seed-fetcher-1 +busybox +"sh -c 'while true; …" +fetcher +.* Up /);
    assert.match(rows[2] ?? '', new RegExp(`^seed-web-1 +seed-web +"httpd -f -p 80 -h /…" +web .*0\\.0\\.0\\.0:${port}->80/tcp`));
    assert.equal((await compose(['ps', '--services'])).stdout, 'fetcher\nweb\n');
    assert.equal((await compose(['ps', '-q'])).stdout.trim().split('\n').length, 2);
    const j = (await compose(['ps', '--format', 'json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(j.map((x) => [x.Name, x.Service, x.State, x.Project]), [['seed-fetcher-1', 'fetcher', 'running', 'seed'], ['seed-web-1', 'web', 'running', 'seed']]);
  });

  test('a no-change up keeps the containers; a changed service alone is recreated', async () => {
    const before = (await compose(['ps', '-q'])).stdout;
    const same = await compose(['up', '-d']);
    assert.equal(same.code, 0, same.stderr);
    assert.equal((await compose(['ps', '-q'])).stdout, before);
    assert.match(same.stderr, / Container seed-web-1 {2}Running/);
    await fs.writeFile(path.join(dir, 'docker-compose.override.yml'), 'services:\n  web:\n    environment:\n      STAGE: override\n    labels:\n      example.stage: override\n  fetcher:\n    environment:\n      CHANGED: "1"\n');
    const r = await compose(['up', '-d', '-t', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, / Container seed-fetcher-1 {2}Recreate/);
    assert.doesNotMatch(r.stderr, /seed-web-1 {2}Recreate/);
    const ids = (await compose(['ps', '-q'])).stdout.trim().split('\n');
    const old = before.trim().split('\n');
    assert.notEqual(ids[0], old[0]);
    assert.equal(ids[1], old[1]);
  });

  test('--scale adds and removes numbered containers', async () => {
    let r = await compose(['up', '-d', '-t', '1', '--scale', 'fetcher=3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await compose(['ps', '--format', 'json'])).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { Name: string }).Name).join(' '), 'seed-fetcher-1 seed-fetcher-2 seed-fetcher-3 seed-web-1');
    r = await compose(['up', '-d', '-t', '1', '--scale', 'fetcher=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await compose(['ps', '--services'])).stdout, 'fetcher\nweb\n');
    assert.equal((await compose(['ps', '-q'])).stdout.trim().split('\n').length, 2);
  });

  test('down -v removes containers, network and volume', async () => {
    const r = await compose(['down', '-v', '-t', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, / Network seed_default {2}Removed/);
    assert.match(r.stderr, / Volume seed_hits {2}Removed/);
    assert.equal((await d.ok(['ps', '-aq'], 'docker')), '');
    assert.doesNotMatch(await d.ok(['network', 'ls', '--format', '{{.Name}}'], 'docker'), /seed_/);
    assert.doesNotMatch(await d.ok(['volume', 'ls', '-q'], 'docker'), /seed_/);
  });
});
