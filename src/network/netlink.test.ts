// Root integration test: real bridge, netns and veths under wharft* names, all removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createBridge, deleteBridge, createNetns, deleteNetns, attachEndpoint, detachEndpoint, createWiredNetns,
  linkExists, listLinks, listNetns, hostVethName, macForIPv4, netnsPath,
} from './netlink.js';
import { execFileSync } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** The netns mounted on `file`, as `ip -j` sees it from inside. */
function insideJson<T>(file: string, args: string[]): T {
  return JSON.parse(execFileSync('nsenter', [`--net=${file}`, 'ip', '-j', ...args], { encoding: 'utf8' })) as T;
}

function mounted(file: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === file);
}

test('createWiredNetns: a netns held on a file, ready before its veths, then wired on two bridges; the host ends go with the mount', async () => {
  const [br1, br2, v1, v2] = [testName('b'), testName('b'), testName('v'), testName('v')];
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  const net2 = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-netns-'));
  const file = path.join(dir, 'netns');
  try {
    await createBridge({ name: br1, address: `${net}.1/24` });
    await createBridge({ name: br2, address: `${net2}.1/24` });
    const made = createWiredNetns(file, process.pid, [
      { bridge: br1, hostIfname: v1, address: `${net}.2/24`, gateway: `${net}.1`, ifname: 'eth0' },
      { bridge: br2, hostIfname: v2, address: `${net2}.2/24`, ifname: 'eth1' },
    ]);
    await made.ready;
    assert.ok(mounted(file), 'the netns is mounted once ready');
    await made.wired;
    const links = insideJson<{ ifname: string; address: string; operstate: string; flags: string[] }[]>(file, ['link', 'show']);
    assert.deepEqual(links.map((l) => l.ifname).sort(), ['eth0', 'eth1', 'lo']);
    assert.ok(links.find((l) => l.ifname === 'lo')!.flags.includes('UP'), 'loopback up');
    assert.equal(links.find((l) => l.ifname === 'eth0')!.address, macForIPv4(`${net}.2`));
    const routes = insideJson<{ dst: string; gateway?: string; dev: string }[]>(file, ['route', 'show']);
    assert.deepEqual(routes.filter((r) => r.dst === 'default'), [{ dst: 'default', gateway: `${net}.1`, dev: 'eth0', flags: [] }]);
    assert.equal((await ipJson<{ master?: string }[]>(['link', 'show', 'dev', v1]))[0].master, br1);
    assert.equal((await ipJson<{ master?: string }[]>(['link', 'show', 'dev', v2]))[0].master, br2);
    // Traffic to the bridge's address (busybox's ping: the host may have none of its own).
    execFileSync('nsenter', [`--net=${file}`, 'busybox', 'ping', '-c1', '-W2', `${net}.1`], { stdio: 'ignore' });
    execFileSync('umount', [file]);
    // The kernel frees a netns (and its veths' host ends) a moment after its last reference.
    for (let i = 0; i < 100 && ((await linkExists(v1)) || (await linkExists(v2))); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await linkExists(v1), false);
    assert.equal(await linkExists(v2), false);
  } finally {
    if (mounted(file)) execFileSync('umount', [file]);
    await detachEndpoint(v1);
    await detachEndpoint(v2);
    await deleteBridge(br1);
    await deleteBridge(br2);
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('createWiredNetns: a failure inside the netns is reported by `wired` and leaves no host end; a taken host name is a Conflict', async () => {
  const [br, v] = [testName('b'), testName('v')];
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-netns-'));
  const file = path.join(dir, 'netns');
  try {
    await createBridge({ name: br, address: `${net}.1/24` });
    const bad = createWiredNetns(file, process.pid, [{ bridge: br, hostIfname: v, address: `${net}.2/24`, gateway: '192.0.2.1' }]);
    await bad.ready;
    await assert.rejects(bad.wired, (err: Error) => err.name === 'Unavailable' && /wiring the container's network namespace: /.test(err.message));
    assert.equal(await linkExists(v), false, 'host end removed');
    execFileSync('umount', [file]);
    // The second endpoint's host name is taken by a bridge: its pair cannot be made, and the
    // error names that one, not the first.
    const taken = createWiredNetns(file, process.pid, [
      { bridge: br, hostIfname: v, address: `${net}.3/24`, ifname: 'eth0' },
      { bridge: br, hostIfname: br, address: `${net}.4/24`, ifname: 'eth1' },
    ]);
    await assert.rejects(taken.wired, { name: 'Conflict', message: `interface ${br} already exists` });
    assert.ok(await linkExists(br), "someone else's link is left alone");
  } finally {
    if (mounted(file)) execFileSync('umount', [file]);
    await detachEndpoint(v);
    await deleteBridge(br);
    await fs.rm(dir, { recursive: true, force: true });
  }
});
