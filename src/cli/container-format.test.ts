import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayPorts } from './container-format.js';

test('ps PORTS: docker DisplayablePorts order, ranges and IPv6 brackets', () => {
  assert.equal(displayPorts([
    { IP: '0.0.0.0', PrivatePort: 81, PublicPort: 18082, Type: 'udp' },
    { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 18081, Type: 'tcp' },
  ]), '127.0.0.1:18081->80/tcp, 0.0.0.0:18082->81/udp');
  assert.equal(displayPorts([
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ]), '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
  // Same-number publishing collapses into ranges; unpublished ports too.
  assert.equal(displayPorts([
    { IP: '0.0.0.0', PrivatePort: 8001, PublicPort: 8001, Type: 'tcp' },
    { IP: '0.0.0.0', PrivatePort: 8000, PublicPort: 8000, Type: 'tcp' },
    { PrivatePort: 7001, Type: 'tcp' }, { PrivatePort: 7000, Type: 'tcp' }, { PrivatePort: 7005, Type: 'tcp' },
  ]), '7000-7001/tcp, 7005/tcp, 0.0.0.0:8000-8001->8000-8001/tcp');
  assert.equal(displayPorts([]), '');
  assert.equal(displayPorts(null), '');
});
