// wharf compose push and pull against Debian's docker-registry on loopback: push sends
// the images of services that build and name an image; pull fetches named images and
// skips build-only services.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type TestDaemon } from './harness.js';
import { startRegistry, type TestRegistry } from './registry-helpers.js';

describe('compose: push and pull', { concurrency: false }, () => {
  let d: TestDaemon;
  let reg: TestRegistry;
  let dir: string;
  const compose = (args: string[]) => d.wharf(['compose', '-p', 'cmpreg', '--project-directory', dir, ...args], { timeoutMs: 120_000 });

  before(async () => {
    reg = await startRegistry();
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-reg-'));
    await fs.mkdir(path.join(dir, 'ctx'));
    await fs.writeFile(path.join(dir, 'ctx', 'Dockerfile'), 'FROM busybox\nRUN echo built > /built\n');
    await fs.writeFile(path.join(dir, 'compose.yaml'), [
      'services:',
      '  app:', '    build: ./ctx', `    image: ${reg.host}/cmp/app:1`,
      '  local:', '    build: ./ctx',
      '  plain:', `    image: ${reg.host}/cmp/plain:1`,
      '',
    ].join('\n'));
  });
  after(async () => {
    try {
      await compose(['down', '--rmi', 'all', '-t', '0']);
      await d.close();
      await reg.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('push: services with build and image are pushed, the rest skipped', async () => {
    const b = await compose(['build']);
    assert.equal(b.code, 0, b.stderr);
    const r = await compose(['push']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, ' app Pushing \n app Pushed \n local Skipped \n plain Skipped \n');
    await d.ok(['rmi', `${reg.host}/cmp/app:1`], 'docker');
    const p = await compose(['pull', 'app']);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stderr, ' app Pulling \n app Pulled \n');
    assert.equal((await d.ok(['run', '--rm', `${reg.host}/cmp/app:1`, 'cat', '/built'], 'docker')), 'built\n');
  });

  test('pull: named images fetched, build-only services skipped; a missing image fails', async () => {
    await d.ok(['tag', 'busybox', `${reg.host}/cmp/plain:1`], 'docker');
    await d.ok(['push', `${reg.host}/cmp/plain:1`], 'docker');
    await d.ok(['rmi', `${reg.host}/cmp/plain:1`], 'docker');
    const r = await compose(['pull']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter(Boolean).sort();
    assert.deepEqual(lines, [' app Pulled ', ' app Pulling ', ' local Skipped - No image to be pulled', ' plain Pulled ', ' plain Pulling ']);
    assert.equal((await d.docker(['image', 'inspect', `${reg.host}/cmp/plain:1`])).code, 0);
    await fs.appendFile(path.join(dir, 'compose.yaml'), `  missing:\n    image: ${reg.host}/cmp/missing:1\n`);
    const bad = await compose(['pull', 'missing']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, / missing Error .*/);
  });

  test('up pulls a missing image from a registry that needs the login the user made', async () => {
    const locked = await startRegistry({ htpasswd: [{ user: 'carol', password: 'pa55' }] });
    const at = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-compose-auth-'));
    const image = `${locked.host}/cmp/private:1`;
    const up = (args: string[]) => d.wharf(['compose', '-p', 'cmpauth', '--project-directory', at, ...args], { timeoutMs: 120_000 });
    try {
      await fs.writeFile(path.join(at, 'compose.yaml'), `services:\n  web:\n    image: ${image}\n    command: ["true"]\n`);
      assert.equal((await d.wharf(['login', '-u', 'carol', '--password-stdin', locked.host], { input: 'pa55\n' })).code, 0);
      await d.ok(['tag', 'busybox', image], 'docker');
      await d.ok(['push', image], 'docker');
      await d.ok(['rmi', image], 'docker');
      const r = await up(['up', '-d']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await d.docker(['image', 'inspect', image])).code, 0);
    } finally {
      await up(['down', '--rmi', 'all', '-t', '0']);
      await d.wharf(['logout', locked.host]);
      await locked.close();
      await fs.rm(at, { recursive: true, force: true });
    }
  });
});
