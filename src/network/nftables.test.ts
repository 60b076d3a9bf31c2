// Root integration test: real bridges, netns and veths (wharft* names), wharf's rules in a
// test-only table; traffic only to addresses the test created. Everything removed in finally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRuleset, applyRuleset, deleteRuleset, listTables } from './nftables.js';
import {
  createBridge, deleteBridge, createNetns, deleteNetns, attachEndpoint, deleteLink, listLinks,
  setRouteLocalnet, ensureIpForward,
} from './netlink.js';
import { runTool } from './command.js';
import { testName, startServer, request, type Probe } from './test-probe.js';

test('renderRuleset: IPv6 DNAT (not for ::1: the loopback relay has it), v6 masquerade and hairpin', () => {
  const text = renderRuleset({
    table: 'wharftx',
    bridges: [{ name: 'br-6', subnet: '10.1.0.0/16', subnet6: 'fd01:2:3:4::/64' }, { name: 'br-i', subnet: '10.2.0.0/16', subnet6: 'fd01:2:3:5::/64', internal: true }],
    ports: [
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 },
      { proto: 'tcp', hostIp: '::', hostPort: 8080, containerIp: 'fd01:2:3:4::2', containerPort: 80 },
      { proto: 'udp', hostIp: 'fd01:2:3:4::1', hostPort: 5353, containerIp: 'fd01:2:3:4::2', containerPort: 53 },
      { proto: 'tcp', hostIp: '::1', hostPort: 9090, containerIp: 'fd01:2:3:4::2', containerPort: 80 },
    ],
  });
  const lines = text.split('\n').map((l) => l.trim());
  for (const want of [
    'meta nfproto ipv4 tcp dport 8080 dnat ip to 10.1.0.2:80',
    'meta nfproto ipv6 ip6 daddr != ::1 tcp dport 8080 dnat ip6 to [fd01:2:3:4::2]:80',
    'meta nfproto ipv6 ip6 daddr fd01:2:3:4::1 udp dport 5353 dnat ip6 to [fd01:2:3:4::2]:53',
    'ip6 saddr fd01:2:3:4::/64 oifname != "br-6" masquerade',
    'oifname "br-6" ip6 saddr fd01:2:3:4::/64 ct status dnat masquerade',
    'oifname "br-i" ip6 saddr fd01:2:3:5::/64 ct status dnat masquerade',
  ]) assert.ok(lines.includes(want), want);
  assert.ok(!text.includes('9090'), 'a port on ::1 alone has no rule');
  assert.ok(!lines.includes('ip6 saddr fd01:2:3:5::/64 oifname != "br-i" masquerade'), 'internal: no masquerade out');
});

test('renderRuleset: one transaction on its own table only', () => {
  const text = renderRuleset({
    table: 'wharftx',
    bridges: [{ name: 'br-a', subnet: '10.1.0.0/16' }, { name: 'br-i', subnet: '10.2.0.0/16', internal: true }],
    ports: [
      { proto: 'tcp', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 },
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.1.0.2', containerPort: 53 },
    ],
  });
  const lines = text.split('\n').map((l) => l.trim());
  assert.deepEqual(lines.slice(0, 3), ['table inet wharftx', 'delete table inet wharftx', 'table inet wharftx {']);
  assert.ok(!/table (ip|ip6|inet) (?!wharftx)/.test(text), 'no other table named');
  for (const want of [
    'fib daddr type local jump publish',
    'meta nfproto ipv4 tcp dport 8080 dnat ip to 10.1.0.2:80',
    'meta nfproto ipv4 ip daddr 127.0.0.1 udp dport 5353 dnat ip to 10.1.0.2:53',
    'ip saddr 10.1.0.0/16 oifname != "br-a" masquerade',
    'oifname "br-a" ip saddr 127.0.0.0/8 masquerade',
    'oifname "br-a" ip saddr 10.1.0.0/16 ct status dnat masquerade',
    'iifname "br-i" oifname != "br-i" drop',
    'oifname "br-i" iifname != "br-i" drop',
    'iifname "br-a" oifname "br-i" drop',
    'iifname "br-i" oifname "br-a" drop',
  ]) assert.ok(lines.includes(want), want);
  assert.ok(!lines.includes('ip saddr 10.2.0.0/16 oifname != "br-i" masquerade'), 'internal: no masquerade out');
  assert.ok(lines.indexOf('ct status dnat accept') < lines.indexOf('iifname "br-a" oifname "br-i" drop'));
});

test('published ports, localhost, hairpin, masquerade, isolation and --internal with real traffic', async () => {
  const forwardWasOff = await ensureIpForward();
  if (forwardWasOff) console.log('# net.ipv4.ip_forward was 0: set to 1 (needed for NAT)');
  const table = testName('t');
  const third = () => Math.floor(Math.random() * 250);
  const base = `10.${200 + Math.floor(Math.random() * 50)}`;
  const nets = { a: `${base}.${third()}`, b: `${base}.${third()}`, i: `${base}.${third()}`, e: `${base}.${third()}` };
  if (new Set(Object.values(nets)).size < 4) return; // unlucky draw; the next run tests it
  const br = { a: testName('b'), b: testName('b'), i: testName('b') };
  const ns = { a1: testName('n'), a2: testName('n'), b: testName('n'), i: testName('n'), ext: testName('n') };
  const veths = { a1: testName('v'), a2: testName('v'), b: testName('v'), i: testName('v'), ext: testName('v') };
  const probes: Probe[] = [];
  try {
    for (const k of ['a', 'b', 'i'] as const) {
      await createBridge({ name: br[k], address: `${nets[k]}.1/24` });
      await setRouteLocalnet(br[k]);
    }
    const endpoint = async (n: keyof typeof ns & keyof typeof veths, bridge: string, net: string, host: number) => {
      await createNetns(ns[n]);
      await attachEndpoint({ netns: ns[n], bridge, hostIfname: veths[n], address: `${net}.${host}/24`, gateway: `${net}.1` });
    };
    await endpoint('a1', br.a, nets.a, 2);
    await endpoint('a2', br.a, nets.a, 3);
    await endpoint('b', br.b, nets.b, 2);
    await endpoint('i', br.i, nets.i, 2);
    // A stand-in for "the outside world": a netns behind a plain veth, no route back to the bridges.
    await createNetns(ns.ext);
    await runTool('ip', ['link', 'add', veths.ext, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns.ext]);
    await runTool('ip', ['addr', 'add', `${nets.e}.1/30`, 'dev', veths.ext]);
    await runTool('ip', ['link', 'set', veths.ext, 'up']);
    await runTool('ip', ['-n', ns.ext, 'addr', 'add', `${nets.e}.2/30`, 'dev', 'eth0']);
    await runTool('ip', ['-n', ns.ext, 'link', 'set', 'eth0', 'up']);

    probes.push(await startServer(ns.a1, 'tcp', 80));
    probes.push(await startServer(ns.a1, 'udp', 53));
    probes.push(await startServer(ns.i, 'tcp', 80));
    probes.push(await startServer(ns.ext, 'tcp', 80));

    // Before wharf's rules: routed between bridges, no NAT.
    assert.equal(await request({ netns: ns.b, proto: 'tcp', host: `${nets.a}.2`, port: 80 }), `hello from ${nets.b}.2`);
    assert.equal(await request({ netns: ns.a2, proto: 'tcp', host: `${nets.e}.2`, port: 80 }), 'timeout', 'no masquerade yet');

    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    await applyRuleset({
      table,
      bridges: [{ name: br.a, subnet: `${nets.a}.0/24` }, { name: br.b, subnet: `${nets.b}.0/24` }, { name: br.i, subnet: `${nets.i}.0/24`, internal: true }],
      ports: [
        { proto: 'tcp', hostPort, containerIp: `${nets.a}.2`, containerPort: 80 },
        { proto: 'udp', hostIp: '127.0.0.1', hostPort, containerIp: `${nets.a}.2`, containerPort: 53 },
      ],
    });
    assert.deepEqual(await listTables(table), [table]);

    const gwA = `${nets.a}.1`;
    assert.equal(await request({ proto: 'tcp', host: '127.0.0.1', port: hostPort }), `hello from ${gwA}`, 'localhost TCP');
    assert.equal(await request({ proto: 'udp', host: '127.0.0.1', port: hostPort }), `hello from ${gwA}`, 'localhost UDP');
    assert.equal(await request({ proto: 'tcp', host: `${nets.e}.1`, port: hostPort }), `hello from ${nets.e}.1`, 'a host address');
    assert.equal(await request({ netns: ns.a2, proto: 'tcp', host: gwA, port: hostPort }), `hello from ${gwA}`, 'hairpin');
    assert.equal(await request({ netns: ns.a1, proto: 'tcp', host: gwA, port: hostPort }), `hello from ${gwA}`, 'hairpin to itself');
    assert.equal(await request({ netns: ns.b, proto: 'tcp', host: `${nets.b}.1`, port: hostPort }), `hello from ${gwA}`, 'published port from another network (masqueraded on the way out of b, as Docker does)');
    assert.equal(await request({ netns: ns.a2, proto: 'tcp', host: `${nets.e}.2`, port: 80 }), `hello from ${nets.e}.1`, 'masquerade out');

    assert.equal(await request({ netns: ns.b, proto: 'tcp', host: `${nets.a}.2`, port: 80 }), 'timeout', 'isolation b → a');
    assert.equal(await request({ netns: ns.a2, proto: 'tcp', host: `${nets.i}.2`, port: 80 }), 'timeout', 'isolation a → internal');
    assert.equal(await request({ netns: ns.i, proto: 'tcp', host: `${nets.e}.2`, port: 80 }), 'timeout', 'internal: no way out');
    assert.equal(await request({ netns: ns.i, proto: 'tcp', host: `${nets.i}.2`, port: 80 }), `hello from ${nets.i}.2`, 'internal: itself');

    // Regenerating without the mapping removes it.
    await applyRuleset({ table, bridges: [{ name: br.a, subnet: `${nets.a}.0/24` }], ports: [] });
    assert.match(await request({ proto: 'tcp', host: '127.0.0.1', port: hostPort }), /^error ECONNREFUSED/);
  } finally {
    for (const p of probes) await p.stop();
    await deleteRuleset(table);
    for (const v of Object.values(veths)) await deleteLink(v);
    for (const n of Object.values(ns)) await deleteNetns(n);
    for (const b of Object.values(br)) await deleteBridge(b);
  }
  // Only this test's names: other tests may have wharft* tables and links at the same time.
  assert.deepEqual((await listTables('wharft')).filter((t) => t === table), []);
  const mine = [...Object.values(br), ...Object.values(ns)];
  assert.deepEqual((await listLinks('wharft')).filter((l) => mine.includes(l)), []);
});
