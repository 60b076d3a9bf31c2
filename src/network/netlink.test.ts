// Root integration test: real bridge, netns and veths under wharft* names, all removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBridge, deleteBridge, createNetns, deleteNetns, attachEndpoint, detachEndpoint,
  linkExists, listLinks, listNetns, hostVethName, macForIPv4, netnsPath,
} from './netlink.js';
import { ipJson } from './command.js';
import { testName, startServer, request } from './test-probe.js';

test('macForIPv4 and hostVethName follow Docker', () => {
  assert.equal(macForIPv4('172.17.0.2'), '02:42:ac:11:00:02');
  assert.match(hostVethName('abc'), /^veth[0-9a-f]{7}$/);
  assert.equal(hostVethName('abc'), hostVethName('abc'));
});

test('bridge + two netns with veths: traffic host↔container and container↔container; teardown leaves nothing', async () => {
  const br = testName('b');
  const nsA = testName('n');
  const nsB = testName('n');
  const vA = testName('v');
  const vB = testName('v');
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  try {
    await createBridge({ name: br, address: `${net}.1/24`, mtu: 1400 });
    await createBridge({ name: br, address: `${net}.1/24`, mtu: 1400 }); // idempotent
    assert.equal(netnsPath(nsA), `/run/netns/${nsA}`);
    await createNetns(nsA);
    await createNetns(nsB);
    await attachEndpoint({ netns: nsA, bridge: br, hostIfname: vA, address: `${net}.2/24`, gateway: `${net}.1`, mtu: 1400 });
    await attachEndpoint({ netns: nsB, bridge: br, hostIfname: vB, address: `${net}.3/24`, gateway: `${net}.1`, mtu: 1400 });

    const links = await ipJson<{ ifname: string; address: string; mtu: number; operstate: string }[]>(['-n', nsA, 'link', 'show', 'dev', 'eth0']);
    assert.equal(links[0].address, macForIPv4(`${net}.2`));
    assert.equal(links[0].mtu, 1400);
    const routes = await ipJson<{ dst: string; gateway?: string }[]>(['-n', nsA, 'route', 'show']);
    assert.ok(routes.some((r) => r.dst === 'default' && r.gateway === `${net}.1`));
    const master = await ipJson<{ master?: string }[]>(['link', 'show', 'dev', vA]);
    assert.equal(master[0].master, br);

    const server = await startServer(nsA, 'tcp', 8080);
    try {
      assert.equal(await request({ proto: 'tcp', host: `${net}.2`, port: 8080 }), `hello from ${net}.1`);
      assert.equal(await request({ netns: nsB, proto: 'tcp', host: `${net}.2`, port: 8080 }), `hello from ${net}.3`);
    } finally {
      await server.stop();
    }

    await assert.rejects(
      attachEndpoint({ netns: nsA, bridge: br, hostIfname: vA, address: `${net}.4/24` }),
      { name: 'Conflict' },
      'a second endpoint under the same host name fails',
    );
    assert.ok(await linkExists(vA), 'the failed attach did not remove the existing endpoint');
    await detachEndpoint(vA);
    assert.equal(await linkExists('eth0', { netns: nsA }), false);
  } finally {
    await detachEndpoint(vA);
    await detachEndpoint(vB);
    await deleteNetns(nsA);
    await deleteNetns(nsB);
    await deleteBridge(br);
  }
  // Only this test's names: other tests may have wharft* links of their own at the same time.
  assert.deepEqual((await listLinks('wharft')).filter((n) => [br, vA, vB].includes(n)), []);
  assert.deepEqual((await listNetns('wharft')).filter((n) => n === nsA || n === nsB), []);
});

test('a failure inside the netns (after the host side succeeded) removes the veth pair and names the endpoint', async () => {
  const br = testName('b');
  const ns = testName('n');
  const v = testName('v');
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  try {
    await createBridge({ name: br, address: `${net}.1/24` });
    await createNetns(ns);
    // A gateway outside the interface's subnet: `route add` fails in the netns.
    await assert.rejects(
      attachEndpoint({ netns: ns, bridge: br, hostIfname: v, address: `${net}.2/24`, gateway: '192.0.2.1' }),
      (err: Error) => err.name === 'Unavailable' && err.message.startsWith(`attach ${v}: `) && !err.message.includes('host side failed'),
    );
    assert.equal(await linkExists(v), false, 'host end removed');
    assert.equal(await linkExists('eth0', { netns: ns }), false, 'netns end went with it');
  } finally {
    await detachEndpoint(v);
    await deleteNetns(ns);
    await deleteBridge(br);
  }
});
