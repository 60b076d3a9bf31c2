import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routedFrom, hostRoutedSubnets, routed6From, hostRoutedSubnets6 } from './host-routes.js';
import { formatCidr } from './cidr.js';
import { formatCidr6 } from './cidr6.js';

test('routedFrom: routes and addresses, not default or loopback', () => {
  const got = routedFrom(
    [{ dst: 'default' }, { dst: '192.0.2.0/24' }, { dst: '172.18.0.0/16' }, { dst: '127.0.0.0/8' }, { dst: '10.9.9.9' }],
    [{ addr_info: [{ family: 'inet', local: '10.1.2.3', prefixlen: 8 }, { family: 'inet6', local: '::1', prefixlen: 128 }] }],
  );
  assert.deepEqual(got.map(formatCidr), ['192.0.2.0/24', '172.18.0.0/16', '10.9.9.9/32', '10.0.0.0/8']);
});

test('hostRoutedSubnets reads this host (ip -j)', async () => {
  const got = await hostRoutedSubnets();
  assert.ok(Array.isArray(got));
});

test('routed6From: global and ULA prefixes; not default, loopback, link-local or multicast', () => {
  const got = routed6From(
    [{ dst: 'default' }, { dst: 'fd00::/64' }, { dst: 'fe80::/64' }, { dst: 'ff00::/8' }, { dst: '::1' }, { dst: '2001:db8::5' }],
    [{ addr_info: [{ family: 'inet6', local: 'fd00::2', prefixlen: 64 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }, { family: 'inet', local: '10.0.0.1', prefixlen: 8 }] }],
  );
  assert.deepEqual(got.map(formatCidr6), ['fd00::/64', '2001:db8::5/128', 'fd00::/64']);
});

test('hostRoutedSubnets6 reads this host (ip -j)', async () => {
  assert.ok(Array.isArray(await hostRoutedSubnets6()));
});
