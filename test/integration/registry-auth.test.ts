// Registry authentication: htpasswd basic auth and the token flow (a token server in the
// test signs JWTs the registry trusts), login/logout writing Docker's config.json, a
// credential helper, and TLS with a test CA from certs.d.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type TestDaemon } from './harness.js';
import { makeCert, startRegistry, startTokenServer, type TestCert, type TestRegistry, type TokenServer } from './registry-helpers.js';

type Cli = 'docker' | 'wharf';

describe('registries: authentication and TLS', () => {
  let d: TestDaemon;
  let basic: TestRegistry;
  let tokenReg: TestRegistry;
  let tlsReg: TestRegistry;
  let tokens: TokenServer;
  let cert: TestCert;
  let tlsCert: TestCert;
  let scratch: string;
  let certsDir: string;
  const closers: Array<() => Promise<void>> = [];

  const exec = (args: string[], cli: Cli, input?: string) => d[cli](args, input !== undefined ? { input, timeoutMs: 120_000 } : { timeoutMs: 120_000 });
  const ok = async (args: string[], cli: Cli = 'docker', input?: string) => {
    const r = await exec(args, cli, input);
    assert.equal(r.code, 0, `${cli} ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  const config = async () => JSON.parse(await fs.readFile(path.join(d.env.DOCKER_CONFIG!, 'config.json'), 'utf8')) as { auths: Record<string, { auth?: string; identitytoken?: string }> };

  before(async () => {
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-regauth-'));
    certsDir = path.join(scratch, 'certs.d');
    await fs.mkdir(certsDir);
    cert = await makeCert('token-signer');
    tlsCert = await makeCert('registry-tls');
    closers.push(() => fs.rm(cert.dir, { recursive: true, force: true }), () => fs.rm(tlsCert.dir, { recursive: true, force: true }));
    basic = await startRegistry({ htpasswd: [{ user: 'alice', password: 's3cret' }] });
    closers.push(basic.close);
    tokens = await startTokenServer({ cert, users: { bob: 'hunter2' } });
    closers.push(tokens.close);
    tokenReg = await startRegistry({ token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, certFile: cert.cert } });
    closers.push(tokenReg.close);
    tlsReg = await startRegistry({ tls: tlsCert });
    closers.push(tlsReg.close);
    d = await startDaemon({ env: { WHARF_CERTS_DIRS: certsDir } });
  });
  after(async () => {
    try {
      await d?.close();
    } finally {
      for (const c of closers.reverse()) await c().catch(() => undefined);
      await fs.rm(scratch, { recursive: true, force: true });
    }
  });

  for (const cli of ['wharf', 'docker'] as const) {
    test(`${cli}: basic auth — refused anonymously, login writes config.json, push/pull work, logout forgets`, async () => {
      const name = `${basic.host}/private-${cli}:1`;
      await ok(['tag', 'busybox', name]);
      const anon = await exec(['push', name], cli);
      assert.notEqual(anon.code, 0);
      assert.match(anon.stderr, /authentication required|no basic auth credentials|unauthorized/);
      const bad = await exec(['login', '-u', 'alice', '--password-stdin', basic.host], cli, 'wrong\n');
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /unauthorized|incorrect username or password/);
      const good = await ok(['login', '-u', 'alice', '--password-stdin', basic.host], cli, 's3cret\n');
      assert.equal(good.stdout, 'Login Succeeded\n');
      assert.equal((await config()).auths[basic.host]!.auth, Buffer.from('alice:s3cret').toString('base64'));
      await ok(['push', name], cli);
      await ok(['rmi', name]);
      await ok(['pull', name], cli);
      assert.equal((await ok(['logout', basic.host], cli)).stdout, `Removing login credentials for ${basic.host}\n`);
      assert.equal((await config()).auths[basic.host], undefined);
      await ok(['rmi', name]);
    });
  }

  test('token auth: anonymous push denied; wharf login gets a token (and identity token); push and pull with scopes', async () => {
    const name = `${tokenReg.host}/tok/app:1`;
    await ok(['tag', 'busybox', name]);
    const anon = await exec(['push', name], 'wharf');
    assert.notEqual(anon.code, 0);
    assert.equal((await exec(['login', '-u', 'bob', '--password-stdin', tokenReg.host], 'wharf', 'nope\n')).code, 1);
    assert.equal((await ok(['login', '-u', 'bob', '--password-stdin', tokenReg.host], 'wharf', 'hunter2\n')).stdout, 'Login Succeeded\n');
    const entry = (await config()).auths[tokenReg.host]!;
    assert.ok(entry.identitytoken, JSON.stringify(entry));
    await ok(['push', name], 'wharf');
    assert.ok(tokens.seen.some((s) => s.scope.includes('repository:tok/app:pull,push') && s.account === 'bob'), JSON.stringify(tokens.seen));
    await ok(['rmi', name]);
    await ok(['pull', name], 'wharf');
    await ok(['pull', name]); // the docker CLI with the identity token wharf stored
    await ok(['logout', tokenReg.host], 'wharf');
    await ok(['rmi', name]);
  });

  test('credential helper: login stores through docker-credential-<x>, pull reads it back', async () => {
    const bin = path.join(scratch, 'bin');
    const store = path.join(scratch, 'helper-store.json');
    await fs.mkdir(bin, { recursive: true });
    // A minimal helper: keeps {ServerURL: {Username, Secret}} in a JSON file.
    await fs.writeFile(path.join(bin, 'docker-credential-wtest'), `#!/usr/bin/env node
const fs = require('fs'); const f = ${JSON.stringify(store)};
const db = fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : {};
const input = fs.readFileSync(0, 'utf8').trim();
const a = process.argv[2];
if (a === 'store') { const r = JSON.parse(input); db[r.ServerURL] = { Username: r.Username, Secret: r.Secret }; fs.writeFileSync(f, JSON.stringify(db)); }
else if (a === 'get') { const r = db[input]; if (!r) { process.stdout.write('credentials not found in native keychain'); process.exit(1); } process.stdout.write(JSON.stringify({ ServerURL: input, ...r })); }
else if (a === 'erase') { delete db[input]; fs.writeFileSync(f, JSON.stringify(db)); }
`, { mode: 0o755 });
    await fs.mkdir(d.env.DOCKER_CONFIG!, { recursive: true });
    await fs.writeFile(path.join(d.env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: {}, credHelpers: { [basic.host]: 'wtest' } }));
    const oldPath = d.env.PATH;
    d.env.PATH = `${bin}:${oldPath}`;
    try {
      await ok(['login', '-u', 'alice', '--password-stdin', basic.host], 'wharf', 's3cret\n');
      assert.deepEqual(JSON.parse(await fs.readFile(store, 'utf8'))[basic.host], { Username: 'alice', Secret: 's3cret' });
      assert.deepEqual((await config()).auths[basic.host], {});
      const name = `${basic.host}/helper:1`;
      await ok(['tag', 'busybox', name]);
      await ok(['push', name], 'wharf');
      await ok(['push', name], 'docker');
      await ok(['logout', basic.host], 'wharf');
      assert.equal(JSON.parse(await fs.readFile(store, 'utf8'))[basic.host], undefined);
      await ok(['rmi', name]);
    } finally {
      d.env.PATH = oldPath;
      await fs.rm(path.join(d.env.DOCKER_CONFIG!, 'config.json'), { force: true });
    }
  });

  test('TLS: a CA in certs.d/<host>/ is used and checked; a wrong CA is refused', async () => {
    const name = `${tlsReg.host}/secure:1`;
    const hostDir = path.join(certsDir, tlsReg.host);
    await fs.mkdir(hostDir, { recursive: true });
    await fs.copyFile(tlsCert.cert, path.join(hostDir, 'ca.crt'));
    await ok(['tag', 'busybox', name]);
    await ok(['push', name], 'wharf');
    await ok(['rmi', name]);
    await ok(['pull', name], 'wharf');
    await ok(['rmi', name]);
    await fs.copyFile(cert.cert, path.join(hostDir, 'ca.crt'));
    const r = await exec(['pull', name], 'wharf');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /certificate|self.signed|unable to verify/i);
    await fs.rm(hostDir, { recursive: true, force: true });
  });
});
