import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HostPorts, canBind } from './host-ports.js';

test('a port someone bound is refused in Docker words; wharf allocations conflict; release and reopen', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'wharft-ports-'));
  const other = net.createServer().listen(0, '0.0.0.0');
  try {
    await once(other, 'listening');
    const busy = (other.address() as net.AddressInfo).port;
    assert.equal(await canBind('tcp', '0.0.0.0', busy), false);
    const ports = await HostPorts.open(root);
    await assert.rejects(ports.allocate('c1', { proto: 'tcp', hostPort: busy }), {
      name: 'Conflict',
      message: `Error starting userland proxy: listen tcp4 0.0.0.0:${busy}: bind: address already in use`,
    });
    const p = await ports.allocate('c1', { proto: 'tcp' });
    assert.ok(p > 1024);
    await assert.rejects(ports.allocate('c2', { proto: 'tcp', hostIp: '127.0.0.1', hostPort: p }), {
      message: `Bind for 127.0.0.1:${p} failed: port is already allocated`,
    });
    assert.equal(await ports.allocate('c2', { proto: 'udp', hostPort: p }), p, 'udp is a separate space');
    const again = await HostPorts.open(root);
    await assert.rejects(again.allocate('c3', { proto: 'tcp', hostPort: p }), { name: 'Conflict' });
    await again.release('c1');
    assert.equal(await again.allocate('c3', { proto: 'tcp', hostPort: p }), p);
    await again.reconcile(new Set(['c2']));
    assert.equal(await again.allocate('c4', { proto: 'tcp', hostPort: p }), p);
  } finally {
    other.close();
    await rm(root, { recursive: true, force: true });
  }
});
