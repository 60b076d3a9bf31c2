// Debian's docker-compose (v1, Python, docker-py) drives wharf's networks through the Engine
// API: a project network, service names and aliases in its DNS, a published port, and
// `down` removing it all. Skipped, saying so, when docker-compose is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { run, startDaemon, type TestDaemon } from './harness.js';
import { freePort } from './net-helpers.js';

const HAVE_COMPOSE = await run('docker-compose', ['version']).then((r) => r.code === 0, () => false);
const PROJECT = `wc${randomBytes(3).toString('hex')}`;

describe('docker-compose v1 on wharf networks', { skip: HAVE_COMPOSE ? false : 'docker-compose is not installed (scripts/deps.sh installs it)' }, () => {
  let d: TestDaemon;
  let dir: string;
  let port: number;
  const compose = (args: string[]) => run('docker-compose', ['-p', PROJECT, '-f', path.join(dir, 'docker-compose.yml'), ...args], { env: d.env, timeoutMs: 120_000 });

  before(async () => {
    d = await startDaemon();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-compose-'));
    port = await freePort();
    await fs.writeFile(path.join(dir, 'docker-compose.yml'), [
      'version: "3"',
      'services:',
      '  web:',
      '    image: busybox',
      `    command: sh -c 'mkdir -p /www && echo hello-web > /www/index.html && exec httpd -f -p 80 -h /www'`,
      `    ports: ["${port}:80"]`,
      '    networks: [front]',
      '  client:',
      '    image: busybox',
      '    command: sleep 300',
      '    networks:',
      '      front:',
      '        aliases: [cli]',
      'networks:',
      '  front: {}',
      '',
    ].join('\n'));
  });
  after(async () => {
    await compose(['down', '-t', '0']).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
    await d.close();
  });

  test('up: project network, DNS by service name and alias, published port; down removes it', async () => {
    const up = await compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const netName = `${PROJECT}_front`;
    const inspect = JSON.parse(await d.ok(['network', 'inspect', netName]))[0];
    assert.equal(inspect.Labels['com.docker.compose.network'], 'front');
    assert.deepEqual(Object.values(inspect.Containers as Record<string, { Name: string }>).map((c) => c.Name).sort(), [`${PROJECT}_client_1`, `${PROJECT}_web_1`]);
    const get = async () => {
      const r = await compose(['exec', '-T', 'client', 'wget', '-qO-', 'http://web/index.html']);
      if (r.code !== 0) throw new Error(r.stderr);
      return r.stdout;
    };
    let page = '';
    for (let i = 0; i < 50 && !page; i++) page = await get().catch(async () => (await new Promise((r) => setTimeout(r, 100)), ''));
    assert.equal(page, 'hello-web\n');
    const clientIp = (await d.ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${netName}").IPAddress}}`, `${PROJECT}_client_1`])).trim();
    const alias = await compose(['exec', '-T', 'web', 'sh', '-c', "nslookup cli | grep '^Address: '"]);
    assert.equal(alias.stdout, `Address: ${clientIp}\n`);
    const res = await fetch(`http://127.0.0.1:${port}/index.html`, { signal: AbortSignal.timeout(5000) });
    assert.equal(await res.text(), 'hello-web\n');

    const down = await compose(['down', '-t', '0']);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await d.ok(['network', 'ls', '-q', '--filter', `name=${netName}`]), '');
    assert.equal(await d.ok(['ps', '-aq']), '');
  });
});
