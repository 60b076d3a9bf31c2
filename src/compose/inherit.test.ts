import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequest } from './convert.js';
import { inheritedMounts } from './inherit.js';
import type { Project, Service } from './model.js';

const service: Service = {
  name: 'db', image: 'busybox', command: null, entrypoint: null,
  volumes: [
    { type: 'volume', target: '/anon', volume: {} },
    { type: 'volume', source: 'data', target: '/data', volume: {} },
    { type: 'tmpfs', target: '/scratch' },
  ],
};
const old = [
  { Type: 'volume', Name: 'a'.repeat(64), Source: '/var/lib/x', Destination: '/anon', RW: true },
  { Type: 'volume', Name: 'p_data', Source: '/var/lib/y', Destination: '/data', RW: true },
  { Type: 'volume', Name: 'b'.repeat(64), Source: '/var/lib/z', Destination: '/var/lib/image-vol/', RW: false },
  { Type: 'tmpfs', Source: '', Destination: '/scratch', RW: true },
  { Type: 'volume', Name: 'c'.repeat(64), Source: '/var/lib/w', Destination: '/gone', RW: true },
];

test('inherit: anonymous service volumes and image VOLUMEs, not named ones, tmpfs or paths no longer declared', () => {
  assert.deepEqual(inheritedMounts(service, old, ['/var/lib/image-vol']), [
    { Type: 'volume', Source: 'a'.repeat(64), Target: '/anon', ReadOnly: false },
    { Type: 'volume', Source: 'b'.repeat(64), Target: '/var/lib/image-vol', ReadOnly: true },
  ]);
});

test('inherit: the create request mounts the inherited volume instead of a fresh anonymous one', () => {
  const project = { name: 'p', workingDir: '/w', configFiles: [], environment: {}, envFiles: [], services: { db: service }, disabled: {}, networks: {}, volumes: { data: { name: 'p_data' } }, secrets: {}, configs: {} } as Project;
  const inherit = inheritedMounts(service, old, []);
  const mounts = ((createRequest(project, service, { number: 1, hash: 'h', inherit }).body as { HostConfig: { Mounts: { Target: string; Source?: string }[] } }).HostConfig.Mounts);
  assert.deepEqual(mounts.map((m) => [m.Target, m.Source]), [['/anon', 'a'.repeat(64)], ['/data', 'p_data'], ['/scratch', undefined]]);
});
