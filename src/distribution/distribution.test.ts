import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from './auth.js';
import { isInsecure } from './endpoints.js';
import { registryDetail } from './errors.js';
import { parseManifest, selectPlatform, type ManifestIndex } from './manifest.js';
import { progressBar } from './progress.js';
import { backoff, retryableStatus } from './retry.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;

test('parseChallenge reads bearer and basic challenges', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' },
  });
  assert.deepEqual(parseChallenge('Basic realm="x"'), { scheme: 'basic', params: { realm: 'x' } });
  assert.equal(parseChallenge('Negotiate abc'), undefined);
});

test('parseManifest accepts schema 2 and OCI, refuses schema 1 and unknown layer types', () => {
  const m = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 10, digest: d('a') }, layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 5, digest: d('b') }] };
  assert.equal(parseManifest(Buffer.from(JSON.stringify(m)), undefined).kind, 'manifest');
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x' })), undefined), /schema 1 has been removed/);
  const bad = { ...m, layers: [{ mediaType: 'text/plain', size: 1, digest: d('c') }] };
  assert.throws(() => parseManifest(Buffer.from(JSON.stringify(bad)), undefined), /unsupported layer media type text\/plain/);
  assert.throws(() => parseManifest(Buffer.from('{'), undefined), /not JSON/);
});

test('selectPlatform picks os/arch, honours variants, refuses a missing platform', () => {
  const index: ManifestIndex = {
    kind: 'index',
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'x', digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { mediaType: 'x', digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: 'x', digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'x', digest: d('4'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  };
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'amd64' }).digest, d('3'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest, d('2'));
  assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64' }).digest, d('4'));
  assert.throws(() => selectPlatform(index, { os: 'windows', architecture: 'amd64' }), /no matching manifest for windows\/amd64 in the manifest list entries/);
});

test('loopback and configured hosts are insecure, others are not', () => {
  const s = { insecure: ['myreg.local:5000', '10.1.0.0/16'] };
  assert.equal(isInsecure('127.0.0.1:5000', s), true);
  assert.equal(isInsecure('localhost:5000', s), true);
  assert.equal(isInsecure('myreg.local:5000', s), true);
  assert.equal(isInsecure('10.1.2.3:443', s), true);
  assert.equal(isInsecure('registry.example.com', s), false);
});

test('registry errors read like Docker’s', () => {
  assert.equal(registryDetail(404, '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'), 'manifest unknown: manifest unknown');
  assert.equal(registryDetail(401, ''), 'unauthorized: authentication required');
  assert.equal(registryDetail(429, 'slow down'), 'toomanyrequests: too many requests');
  assert.equal(registryDetail(503, '{"errors":[{"code":"UNAVAILABLE","message":"x"}]}'), 'received unexpected HTTP status: 503 Service Unavailable');
  assert.equal(registryDetail(418, ''), "received unexpected HTTP status: 418 I'm a Teapot");
});

test('progress text matches jsonmessage', () => {
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B`);
});

test('retries: 408, 429 and 5xx only; Retry-After (seconds) replaces the backoff; abort stops the wait', async () => {
  assert.deepEqual([400, 401, 403, 404, 408, 429, 500, 503].map(retryableStatus), [false, false, false, false, true, true, true, true]);
  let t = Date.now();
  await backoff(0, { baseMs: 10_000, retryAfter: '0' });
  assert.ok(Date.now() - t < 1000);
  t = Date.now();
  await backoff(2, { baseMs: 10 });
  assert.ok(Date.now() - t >= 35);
  // A Retry-After we will not wait for (an hour) falls back to the backoff.
  t = Date.now();
  await backoff(0, { baseMs: 10, retryAfter: '3600' });
  assert.ok(Date.now() - t < 1000);
  const c = new AbortController();
  const waiting = backoff(0, { baseMs: 60_000, signal: c.signal });
  c.abort(new Error('client went away'));
  await assert.rejects(waiting, /client went away/);
});
