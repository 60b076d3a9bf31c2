import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ipam } from './ipam.js';
import { parseCidr6 } from './cidr6.js';
import { ulaBase } from './ipam6.js';
import { formatCidr6 } from './cidr6.js';

async function withIpam(fn: (ipam: Ipam, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'wharft-ipam6-'));
  try {
    await fn(await Ipam.open(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('ulaBase: fd + the 40-bit Global ID, /48', () => {
  assert.equal(formatCidr6(ulaBase('123456789a')), 'fd12:3456:789a::/48');
  assert.equal(formatCidr6(ulaBase('0000000001')), 'fd00:0:1::/48');
});

test('default v6 subnets: successive /64s of one ULA /48 kept in ipam.json, skipping routed and taken ones', () =>
  withIpam(async (ipam, root) => {
    const a = await ipam.createPool6('a', {});
    const m = /^(fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4})::\/64$/.exec(a.subnet);
    assert.ok(m, a.subnet);
    assert.equal(a.gateway, `${m[1]}::1`);
    const b = await ipam.createPool6('b', { routed: [parseCidr6(`${m[1]}:1::/64`)] });
    assert.equal(b.subnet, `${m[1]}:2::/64`, 'a routed /64 is skipped');
    const c = await Ipam.open(root).then((again) => again.createPool6('c', {}));
    assert.equal(c.subnet, `${m[1]}:1::/64`, 'same /48 after a reopen');
    const onDisk = JSON.parse(await readFile(path.join(root, 'ipam.json'), 'utf8'));
    assert.match(onDisk.ulaGlobalId, /^[0-9a-f]{10}$/);
  }));

test('user v6 subnets: overlap, gateway and ip-range outside, invalid CIDR', () =>
  withIpam(async (ipam) => {
    const a = await ipam.createPool6('a', { subnet: 'fd01:2:3:4::99/64' });
    assert.deepEqual([a.subnet, a.gateway], ['fd01:2:3:4::/64', 'fd01:2:3:4::1']);
    await assert.rejects(ipam.createPool6('b', { subnet: 'fd01:2:3::/48' }), { name: 'Forbidden', message: 'Pool overlaps with other one on this address space' });
    await assert.rejects(ipam.createPool6('b', { subnet: 'fd01:2:3:5::/64', gateway: 'fd01:2:3:6::1' }), { message: 'no matching subnet for gateway fd01:2:3:6::1' });
    await assert.rejects(ipam.createPool6('b', { subnet: 'fd01:2:3:5::/64', ipRange: 'fd01:2:3:6::/80' }), { message: 'no matching subnet for ip-range fd01:2:3:6::/80' });
    await assert.rejects(ipam.createPool6('b', { subnet: 'fd01:2:3:5::/644' }), { name: 'InvalidArgument', message: 'invalid CIDR address: fd01:2:3:5::/644' });
    await assert.rejects(ipam.createPool6('a', { subnet: 'fd09::/64' }), { name: 'Conflict' }, 'one v6 pool per network');
  }));

test('v6 addresses: serial after the gateway, --ip-range, --ip6, never a held one; release and reconcile cover both families', () =>
  withIpam(async (ipam, root) => {
    await ipam.createPool('n', { subnet: '10.60.0.0/24' });
    await ipam.createPool6('n', { subnet: 'fd01:2:3:4::/64', ipRange: 'fd01:2:3:4::/126' });
    assert.equal(await ipam.allocate6('n', 'c1'), 'fd01:2:3:4::2');
    assert.equal(await ipam.allocate6('n', 'c2'), 'fd01:2:3:4::3');
    await assert.rejects(ipam.allocate6('n', 'c3'), { name: 'Unavailable', message: 'No available addresses on this pool' });
    assert.equal(await ipam.allocate6('n', 'c3', { ip: 'fd01:2:3:4:0:0:0:99' }), 'fd01:2:3:4::99', '--ip6 anywhere in the subnet, canonical');
    await assert.rejects(ipam.allocate6('n', 'c4', { ip: 'fd01:2:3:4::99' }), { name: 'Conflict', message: 'Address already in use' });
    await assert.rejects(ipam.allocate6('n', 'c4', { ip: 'fd01:2:3:5::9' }), {
      name: 'InvalidArgument',
      message: "Invalid address fd01:2:3:5::9: It does not belong to any of this network's subnets",
    });
    await assert.rejects(ipam.allocate6('n', 'c4', { ip: 'fd01:2:3:4::' }), { name: 'InvalidArgument' }, 'subnet-router anycast');
    await assert.rejects(ipam.allocate6('nope', 'c4'), { name: 'NotFound' });
    await ipam.allocate('n', 'c1');
    await ipam.release('n', 'c1');
    assert.deepEqual(Object.values(ipam.pool('n')!.leases), ['<gateway>']);
    assert.deepEqual(Object.values(ipam.pool6('n')!.leases), ['<gateway>', 'c2', 'c3']);
    const again = await Ipam.open(root);
    assert.equal(await again.reconcile(new Set(['c3'])), 1);
    assert.deepEqual(again.pool6('n')!.leases, { 'fd01:2:3:4::1': '<gateway>', 'fd01:2:3:4::99': 'c3' });
    assert.equal(await again.allocate6('n', 'c5'), 'fd01:2:3:4::2', 'wraps around in the range (cursor persisted)');
    await again.releasePool('n');
    assert.equal(again.pool6('n'), undefined);
    assert.deepEqual(again.poolIds(), []);
  }));

test('a /64 without a range: allocation never walks the whole subnet', () =>
  withIpam(async (ipam) => {
    await ipam.createPool6('n', { subnet: 'fd01:2:3:4::/64' });
    for (let i = 2; i < 40; i++) assert.equal(await ipam.allocate6('n', `c${i}`), `fd01:2:3:4::${i.toString(16)}`);
  }));
