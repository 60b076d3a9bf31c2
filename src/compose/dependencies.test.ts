import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completedVerdict, healthVerdict } from './dependencies.js';

test('service_healthy: exited before health, then health states, as compose checks them', () => {
  assert.deepEqual(healthVerdict({ name: 'p-db-1', status: 'exited', exitCode: 3, health: 'starting' }), { done: false, error: 'container p-db-1 exited (3)' });
  assert.deepEqual(healthVerdict({ name: 'p-db-1', status: 'running' }), { done: false, error: 'container p-db-1 has no healthcheck configured' });
  assert.deepEqual(healthVerdict({ name: 'p-db-1', status: 'running', health: 'unhealthy' }), { done: false, error: 'container p-db-1 is unhealthy' });
  assert.deepEqual(healthVerdict({ name: 'p-db-1', status: 'running', health: 'starting' }), { done: false });
  assert.deepEqual(healthVerdict({ name: 'p-db-1', status: 'running', health: 'healthy' }), { done: true });
});

test('service_completed_successfully: the first exited container decides', () => {
  assert.deepEqual(completedVerdict('init', [{ name: 'a', status: 'running' }]), { done: false });
  assert.deepEqual(completedVerdict('init', [{ name: 'a', status: 'running' }, { name: 'b', status: 'exited', exitCode: 0 }]), { done: true });
  assert.deepEqual(completedVerdict('init', [{ name: 'a', status: 'exited', exitCode: 3 }]), { done: false, error: '"init" didn\'t complete successfully: exit 3' });
});
