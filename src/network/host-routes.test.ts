import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routedFrom, hostRoutedSubnets } from './host-routes.js';
import { formatCidr } from './cidr.js';

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
