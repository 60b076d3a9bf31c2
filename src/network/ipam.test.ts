import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ipam } from './ipam.js';
import { parseCidr } from './cidr.js';

async function withIpam(fn: (ipam: Ipam, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'wharft-ipam-'));
  try {
    await fn(await Ipam.open(root), root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('default pools: 172.17 for the first network, then 172.18, skipping routed subnets', () =>
  withIpam(async (ipam) => {
    const a = await ipam.createPool('bridge', {});
    assert.equal(a.subnet, '172.17.0.0/16');
    assert.equal(a.gateway, '172.17.0.1');
    const b = await ipam.createPool('n1', { routed: [parseCidr('172.18.5.0/24')] });
    assert.equal(b.subnet, '172.19.0.0/16');
    const c = await ipam.createPool('n2', {});
    assert.equal(c.subnet, '172.18.0.0/16');
  }));

test('user subnets: overlap, invalid CIDR, gateway and ip-range outside the subnet', () =>
  withIpam(async (ipam) => {
    await ipam.createPool('a', { subnet: '10.10.0.0/16' });
    await assert.rejects(ipam.createPool('b', { subnet: '10.10.4.0/24' }), {
      name: 'Forbidden',
      message: 'Pool overlaps with other one on this address space',
    });
    await assert.rejects(ipam.createPool('b', { subnet: '10.300.0.0/16' }), { name: 'InvalidArgument', message: 'invalid CIDR address: 10.300.0.0/16' });
    await assert.rejects(ipam.createPool('b', { subnet: '10.20.0.0/16', gateway: '10.21.0.1' }), {
      message: 'no matching subnet for gateway 10.21.0.1',
    });
    await assert.rejects(ipam.createPool('b', { subnet: '10.20.0.0/16', ipRange: '10.21.0.0/24' }), {
      message: 'no matching subnet for ip-range 10.21.0.0/24',
    });
    const b = await ipam.createPool('b', { subnet: '10.20.0.5/16', gateway: '10.20.0.254' });
    assert.equal(b.subnet, '10.20.0.0/16', 'host bits cleared');
    assert.equal(b.gateway, '10.20.0.254');
  }));

test('addresses: serial, skip the gateway, honour --ip-range and --ip, never hand out a held address', () =>
  withIpam(async (ipam) => {
    await ipam.createPool('n', { subnet: '10.30.0.0/24', ipRange: '10.30.0.128/30' });
    assert.equal(await ipam.allocate('n', 'c1'), '10.30.0.128');
    assert.equal(await ipam.allocate('n', 'c2'), '10.30.0.129');
    await ipam.release('n', 'c1');
    assert.equal(await ipam.allocate('n', 'c3'), '10.30.0.130', 'a released address is not reused at once');
    assert.equal(await ipam.allocate('n', 'c4'), '10.30.0.131');
    assert.equal(await ipam.allocate('n', 'c5'), '10.30.0.128', 'wraps around to the freed one');
    await assert.rejects(ipam.allocate('n', 'c6'), { name: 'Unavailable' });
    assert.equal(await ipam.allocate('n', 'c7', { ip: '10.30.0.9' }), '10.30.0.9', '--ip may be outside --ip-range');
    await assert.rejects(ipam.allocate('n', 'c8', { ip: '10.30.0.9' }), { name: 'Conflict', message: 'Address already in use' });
    await assert.rejects(ipam.allocate('n', 'c8', { ip: '10.30.0.1' }), { name: 'Conflict' }, 'the gateway is held');
    await assert.rejects(ipam.allocate('n', 'c8', { ip: '10.31.0.9' }), {
      name: 'InvalidArgument',
      message: "Invalid address 10.31.0.9: It does not belong to any of this network's subnets",
    });
    await assert.rejects(ipam.allocate('n', 'c8', { ip: '10.30.0.255' }), { name: 'InvalidArgument' }, 'broadcast');
    await assert.rejects(ipam.allocate('nope', 'c8'), { name: 'NotFound' });
  }));

test('leases persist across a reopen; reconcile drops those of vanished endpoints', () =>
  withIpam(async (ipam, root) => {
    await ipam.createPool('n', { subnet: '10.40.0.0/24' });
    await ipam.allocate('n', 'alive');
    await ipam.allocate('n', 'gone');
    const again = await Ipam.open(root);
    assert.deepEqual(again.pool('n')?.leases, { '10.40.0.1': '<gateway>', '10.40.0.2': 'alive', '10.40.0.3': 'gone' });
    assert.equal(await again.reconcile(new Set(['alive'])), 1);
    assert.equal(await again.allocate('n', 'new'), '10.40.0.4', 'cursor persisted too');
    const onDisk = JSON.parse(await readFile(path.join(root, 'ipam.json'), 'utf8'));
    assert.equal(onDisk.version, 1);
    assert.equal(onDisk.pools.n.leases['10.40.0.3'], undefined);
    await again.releasePool('n');
    assert.equal((await Ipam.open(root)).pool('n'), undefined);
  }));

test('a failed change leaves the state as it was', () =>
  withIpam(async (ipam) => {
    await ipam.createPool('n', { subnet: '10.50.0.0/30' });
    await ipam.allocate('n', 'a');
    await assert.rejects(ipam.allocate('n', 'b'), { name: 'Unavailable' });
    assert.deepEqual(Object.values(ipam.pool('n')!.leases), ['<gateway>', 'a']);
  }));
