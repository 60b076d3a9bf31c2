// The /networks routes (request table: method, path, body → status and fields) and the
// wharf CLI's network commands and `port`, end to end on a test wharfd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDaemon, type TestDaemon } from './harness.js';

const PFX = `wnc${randomBytes(3).toString('hex')}`;

describe('network routes and CLI', { concurrency: false }, () => {
  let d: TestDaemon;
  let netId = '';
  before(async () => {
    d = await startDaemon();
    netId = (await d.ok(['network', 'create', '--label', `${PFX}=1`, `${PFX}-a`], 'wharf')).trim();
  });
  after(async () => {
    await d.docker(['rm', '-f', `${PFX}-c`]);
    await d.docker(['network', 'rm', '-f', `${PFX}-a`, `${PFX}-b`, `${PFX}-p`]);
    await d.close();
  });

  const table: { name: string; method: string; path: () => string; body?: unknown; status: number; check?: (json: unknown) => void }[] = [
    { name: 'list', method: 'GET', path: () => `/networks?filters=${encodeURIComponent(JSON.stringify({ label: [PFX] }))}`, status: 200,
      check: (j) => assert.deepEqual((j as { Name: string }[]).map((n) => n.Name), [`${PFX}-a`]) },
    { name: 'list, legacy filter form', method: 'GET', path: () => `/networks?filters=${encodeURIComponent(JSON.stringify({ name: { [`${PFX}-a`]: true } }))}`, status: 200,
      check: (j) => assert.equal((j as unknown[]).length, 1) },
    { name: 'list, unknown filter', method: 'GET', path: () => `/networks?filters=${encodeURIComponent('{"foo":["x"]}')}`, status: 400,
      check: (j) => assert.deepEqual(j, { message: "invalid filter 'foo'" }) },
    { name: 'inspect by name', method: 'GET', path: () => `/networks/${PFX}-a`, status: 200, check: (j) => assert.equal((j as { Id: string }).Id, netId) },
    { name: 'inspect by ID prefix, verbose and scope ignored', method: 'GET', path: () => `/networks/${netId.slice(0, 12)}?verbose=true&scope=local`, status: 200,
      check: (j) => assert.equal((j as { Name: string }).Name, `${PFX}-a`) },
    { name: 'inspect missing', method: 'GET', path: () => `/networks/${PFX}nosuch`, status: 404 },
    { name: 'create, body not an object', method: 'POST', path: () => '/networks/create', body: ['x'], status: 400,
      check: (j) => assert.deepEqual(j, { message: 'invalid network create request: the body must be a JSON object' }) },
    { name: 'create, Name not a string', method: 'POST', path: () => '/networks/create', body: { Name: 5 }, status: 400,
      check: (j) => assert.deepEqual(j, { message: 'invalid network create request: Name must be a string' }) },
    { name: 'create, Labels not an object', method: 'POST', path: () => '/networks/create', body: { Name: `${PFX}-b`, Labels: 'x' }, status: 400 },
    { name: 'create', method: 'POST', path: () => '/networks/create', body: { Name: `${PFX}-b`, IPAM: null, Options: null }, status: 201,
      check: (j) => { assert.match((j as { Id: string }).Id, /^[0-9a-f]{64}$/); assert.equal(typeof (j as { Warning: unknown }).Warning, 'string'); } },
    { name: 'create duplicate', method: 'POST', path: () => '/networks/create', body: { Name: `${PFX}-b` }, status: 409 },
    { name: 'connect, body not an object', method: 'POST', path: () => `/networks/${PFX}-b/connect`, body: 'x', status: 400 },
    { name: 'connect, Container not a string', method: 'POST', path: () => `/networks/${PFX}-b/connect`, body: { Container: 1 }, status: 400 },
    { name: 'connect, missing network', method: 'POST', path: () => `/networks/${PFX}nosuch/connect`, body: { Container: `${PFX}-c` }, status: 404 },
    { name: 'disconnect, Force not a boolean', method: 'POST', path: () => `/networks/${PFX}-b/disconnect`, body: { Container: 'x', Force: 'yes' }, status: 400 },
    { name: 'delete', method: 'DELETE', path: () => `/networks/${PFX}-b`, status: 204 },
    { name: 'delete missing', method: 'DELETE', path: () => `/networks/${PFX}-b`, status: 404 },
    { name: 'prune, unknown filter', method: 'POST', path: () => `/networks/prune?filters=${encodeURIComponent('{"driver":["bridge"]}')}`, status: 400,
      check: (j) => assert.deepEqual(j, { message: "invalid filter 'driver'" }) },
  ];
  for (const row of table) {
    test(`API: ${row.name}`, async () => {
      const r = await d.api(row.method, row.path(), row.body);
      assert.equal(r.status, row.status, r.text);
      row.check?.(r.json);
    });
  }

  test('CLI: ls, inspect -f, connect and disconnect (silent), port, rm', async () => {
    assert.equal(await d.ok(['network', 'ls', '--filter', `label=${PFX}`, '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Internal}}'], 'wharf'), `${PFX}-a bridge local false\n`);
    assert.equal(await d.ok(['network', 'ls', '-q', '--no-trunc', '--filter', `label=${PFX}`], 'wharf'), `${netId}\n`);
    await d.ok(['run', '-d', '--name', `${PFX}-c`, '-p', '127.0.0.1::80', '-p', '127.0.0.1::53/udp', 'busybox', 'sleep', '1000'], 'wharf');
    const ports = await d.ok(['port', `${PFX}-c`], 'wharf');
    assert.match(ports, /^53\/udp -> 127\.0\.0\.1:\d+\n80\/tcp -> 127\.0\.0\.1:\d+\n$/);
    assert.match(await d.ok(['port', `${PFX}-c`, '80/tcp'], 'wharf'), /^127\.0\.0\.1:\d+\n$/);
    assert.equal(await d.ok(['network', 'connect', '--alias', 'web,www', `${PFX}-a`, `${PFX}-c`], 'wharf'), '');
    const aliases = await d.ok(['inspect', '-f', `{{json (index .NetworkSettings.Networks "${PFX}-a").Aliases}}`, `${PFX}-c`], 'wharf');
    assert.ok(JSON.parse(aliases).includes('web') && JSON.parse(aliases).includes('www'), aliases);
    assert.equal(await d.ok(['network', 'inspect', '-f', '{{len .Containers}}', `${PFX}-a`], 'wharf'), '1\n');
    const busy = await d.wharf(['network', 'rm', `${PFX}-a`]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /^Error response from daemon: .*active endpoints.*\nexit status 1\n$/);
    assert.equal(await d.ok(['network', 'disconnect', `${PFX}-a`, `${PFX}-c`], 'wharf'), '');
    assert.equal(await d.ok(['network', 'rm', `${PFX}-a`], 'wharf'), `${PFX}-a\n`);
  });

  test('CLI: prune -f lists the unused networks it removed', async () => {
    await d.ok(['network', 'create', `${PFX}-p`], 'wharf');
    assert.equal(await d.ok(['network', 'prune', '-f', '--filter', 'label!=keep'], 'wharf'), `Deleted Networks:\n${PFX}-p\n\n`);
    assert.equal(await d.ok(['network', 'prune', '-f'], 'wharf'), '');
  });

  test('CLI: run on a user network with alias, --ip, --dns, --add-host reaches the API as docker sends it', async () => {
    await d.ok(['network', 'create', '--subnet', '10.231.0.0/24', `${PFX}-b`], 'wharf');
    const id = (await d.ok(['create', '--name', `${PFX}-d`, '--network', `${PFX}-b`, '--network-alias', 'db', '--ip', '10.231.0.50',
      '--dns', '10.231.0.1', '--dns-search', 'example.test', '--add-host', 'h1=10.1.2.3', '--expose', '7000-7001', 'busybox'], 'wharf')).trim();
    try {
      const fmt = '{{.HostConfig.NetworkMode}}|{{json .HostConfig.Dns}}|{{json .HostConfig.DnsSearch}}|{{json .HostConfig.ExtraHosts}}|{{json .Config.ExposedPorts}}';
      assert.equal(await d.ok(['inspect', '-f', fmt, id], 'wharf'), `${PFX}-b|["10.231.0.1"]|["example.test"]|["h1:10.1.2.3"]|{"7000/tcp":{},"7001/tcp":{}}\n`);
      const ep = JSON.parse(await d.ok(['inspect', '-f', `{{json (index .NetworkSettings.Networks "${PFX}-b")}}`, id], 'wharf')) as { Aliases: string[]; IPAMConfig: { IPv4Address: string } };
      assert.ok(ep.Aliases.includes('db'), JSON.stringify(ep));
      assert.equal(ep.IPAMConfig.IPv4Address, '10.231.0.50');
    } finally {
      await d.docker(['rm', '-f', id]);
    }
  });
});
