// ADD <http(s) url> as Docker's classic builder does it (checked against Docker 20.10 with
// DOCKER_BUILDKIT=0): the daemon downloads the file, never unpacks it, makes it 0600 with
// the Last-Modified time (else the epoch), keys the cache on its bytes; HTTP errors name
// the URL and status. `--checksum` (BuildKit's flag, an extension here) with BuildKit's
// wording. The server is this test's own, on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { errorLine, withoutIds, writeContext } from './build-helpers.js';
import { startDaemon, type TestDaemon } from './harness.js';

/** What the test server serves, by path; a file's Last-Modified only where given. */
interface Served {
  status?: number;
  body: Buffer | string;
  lastModified?: string;
  disposition?: string;
}

describe('build: ADD <url>', () => {
  let d: TestDaemon;
  let scratch: string;
  let server: http.Server;
  let base: string;
  const served = new Map<string, Served>();
  // Enough of a tar for ADD to take it for one ("ustar" at 257) were it a local file.
  const tarball = Buffer.alloc(10240);
  tarball.write('file.txt', 0);
  tarball.write('ustar\x0000', 257, 'latin1');

  const context = (name: string, files: Record<string, string>) => writeContext(scratch, name, files);
  const build = (args: string[]) => d.docker(['build', ...args], { timeoutMs: 120_000 });
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    process.env.DOCKER_BUILDKIT = '0';
    served.set('/dir/file.txt', { body: 'file content\n' });
    served.set('/arch.tar', { body: tarball });
    served.set('/noname/', { body: 'noname\n' });
    served.set('/lm.txt', { body: 'lm\n', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    // The URL's path names the file; only a path ending in "/" leaves it to Content-Disposition.
    served.set('/dl/', { body: 'disposed\n', disposition: 'attachment; filename="given.bin"' });
    served.set('/missing.txt', { status: 404, body: 'nope here\n' });
    served.set('/big.bin', { body: Buffer.alloc(1_200_000, 7) });
    server = http.createServer((req, res) => {
      const s = served.get(req.url ?? '');
      if (!s) {
        res.writeHead(500).end('unexpected path');
        return;
      }
      const headers: Record<string, string> = { 'Content-Length': String(Buffer.byteLength(s.body)) };
      if (s.lastModified) headers['Last-Modified'] = s.lastModified;
      if (s.disposition) headers['Content-Disposition'] = s.disposition;
      res.writeHead(s.status ?? 200, headers).end(s.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    d = await startDaemon();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-build-url-'));
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
    await d.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('downloads: names, modes, mtimes, no unpacking; the stream; a rebuild is cached; new bytes miss', async () => {
    const dir = await context('add', {
      Dockerfile: [
        'FROM busybox',
        `ADD ${base}/dir/file.txt /d/`,
        `ADD ${base}/arch.tar /t/`,
        `ADD ${base}/noname/ /named`,
        `ADD ${base}/lm.txt /lm`,
        `ADD --chown=1:2 ${base}/dl/ /c/`,
        "RUN stat -c '%n %a %u:%g %s %Y' /d /d/file.txt /t/arch.tar /named /lm /c/given.bin",
        '',
      ].join('\n'),
    });
    const r = await build(['-t', 'addurl', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const head = [
      'Step 1/7 : FROM busybox', ' ---> <id>',
      `Step 2/7 : ADD ${base}/dir/file.txt /d/`, '', ' ---> <id>',
      `Step 3/7 : ADD ${base}/arch.tar /t/`, '', ' ---> <id>',
      `Step 4/7 : ADD ${base}/noname/ /named`, '', ' ---> <id>',
      `Step 5/7 : ADD ${base}/lm.txt /lm`, '', ' ---> <id>',
      `Step 6/7 : ADD --chown=1:2 ${base}/dl/ /c/`, '', ' ---> <id>',
      "Step 7/7 : RUN stat -c '%n %a %u:%g %s %Y' /d /d/file.txt /t/arch.tar /named /lm /c/given.bin",
      ' ---> Running in <id>',
      '',
    ].join('\n');
    assert.ok(withoutIds(r.stdout).startsWith(head), withoutIds(r.stdout));
    const lines = r.stdout.split('\n');
    const stat = lines.slice(lines.findIndex((l) => l.startsWith('/d/file.txt')), lines.findIndex((l) => l.startsWith('/c/given.bin')) + 1);
    assert.deepEqual(stat, ['/d/file.txt 600 0:0 13 0', '/t/arch.tar 600 0:0 10240 0', '/named 600 0:0 7 0', '/lm 600 0:0 3 1445412480', '/c/given.bin 600 1:2 9 0']);
    // A directory the copy creates gets the time of the build, as Docker's MkdirAll gives it.
    const made = /^\/d 755 0:0 \d+ (\d+)$/.exec(lines.find((l) => l.startsWith('/d ')) ?? '');
    assert.ok(made && Math.abs(Number(made[1]) - Date.now() / 1000) < 600, String(made));
    const hist = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'addurl']);
    assert.match(hist, /\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]{64} in \/d\/ \n/);
    const id = (await ok(['image', 'inspect', '-f', '{{.Id}}', 'addurl'])).trim();

    // Downloaded again, same bytes: every step from the cache, the same image.
    const again = await build(['-t', 'addurl', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/\n\n ---> Using cache\n/g) ?? []).length, 5, again.stdout);
    assert.equal(await ok(['image', 'inspect', '-f', '{{.Id}}', 'addurl']), `${id}\n`);

    // New bytes behind the same URL: that step and the ones after it are rebuilt.
    served.set('/lm.txt', { body: 'lm2\n', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    const changed = await build(['-t', 'addurl', dir]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal((changed.stdout.match(/ ---> Using cache\n/g) ?? []).length, 3, changed.stdout);
    assert.equal(await ok(['run', '--rm', 'addurl', 'cat', '/lm']), 'lm2\n');
    served.set('/lm.txt', { body: 'lm\n', lastModified: 'Wed, 21 Oct 2015 07:28:00 GMT' });
  });

  test('--checksum: a match builds, a mismatch fails with BuildKit\'s wording; misuse is refused', async () => {
    const sum = createHash('sha256').update('file content\n').digest('hex');
    const good = await context('sum-good', { Dockerfile: `FROM busybox\nADD --checksum=sha256:${sum} ${base}/dir/file.txt /f\nRUN cat /f\n` });
    const r = await build(['-t', 'sum', good]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nfile content\n/);
    const zeros = '0'.repeat(64);
    const cases: Array<[string, string]> = [
      [`ADD --checksum=sha256:${zeros} ${base}/dir/file.txt /f`, `digest mismatch for ${base}/dir/file.txt: sha256:${sum} (expected: sha256:${zeros})`],
      ['ADD --checksum=sha256:abc Dockerfile /f', 'checksum requires HTTP(S) or Git sources'],
      [`ADD --checksum=sha256:abc ${base}/dir/file.txt /f`, 'invalid checksum digest format'],
      [`ADD --checksum=md5:${zeros} ${base}/dir/file.txt /f`, 'unsupported digest algorithm'],
      [`ADD --checksum=sha256:${sum} ${base}/dir/file.txt Dockerfile /d/`, "checksum can't be specified for multiple sources"],
    ];
    for (const [i, [line, message]] of cases.entries()) {
      const dir = await context(`sum-bad${i}`, { Dockerfile: `FROM busybox\n${line}\n` });
      const bad = await build([dir]);
      assert.equal(bad.code, 1, `${line}: ${bad.stdout}`);
      assert.equal(errorLine(bad.stderr), message);
    }
  });

  test('the API stream: "Downloading" progress with byte counts, then the empty line; `wharf build` too', async () => {
    const dir = await context('progress', { Dockerfile: `FROM busybox\nADD ${base}/big.bin /big.bin\n` });
    const tarball = path.join(scratch, 'progress.tar');
    execFileSync('tar', ['-C', dir, '-cf', tarball, '.']);
    // Not execFileSync: this process serves the download the daemon makes.
    const { stdout: raw } = await promisify(execFile)('curl', ['-sS', '--max-time', '60', '--unix-socket', d.socket, '-X', 'POST', '-H', 'Content-Type: application/x-tar', '--data-binary', `@${tarball}`, 'http://x/build?t=progress'], { encoding: 'utf8' });
    const msgs = raw.split('\r\n').filter(Boolean).map((l) => JSON.parse(l) as { stream?: string; status?: string; progressDetail?: { current: number; total?: number }; progress?: string });
    const at = msgs.findIndex((m) => m.stream === `Step 2/2 : ADD ${base}/big.bin /big.bin\n`);
    const progress = msgs.slice(at + 1, msgs.findIndex((m, i) => i > at && m.stream !== undefined));
    assert.ok(progress.length >= 2, raw);
    for (const m of progress) {
      assert.equal(m.status, 'Downloading');
      assert.equal(m.progressDetail?.total, 1_200_000);
    }
    assert.deepEqual(progress.at(-1), { status: 'Downloading', progressDetail: { current: 1_200_000, total: 1_200_000 }, progress: '   1.2MB/1.2MB' });
    assert.equal(msgs[at + 1 + progress.length].stream, '\n');
    const id = (msgs.find((m) => (m as { aux?: { ID: string } }).aux) as { aux: { ID: string } }).aux.ID;
    // Our CLI prints the same stream (and the cache takes the same bytes).
    const w = await d.wharf(['build', '-q', dir], { timeoutMs: 120_000 });
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, `${id}\n`);
  });

  test('errors name the URL and the status; nothing is left behind', async () => {
    const cases: Array<[string, string]> = [
      [`ADD ${base}/missing.txt /m`, `ADD failed: failed to GET ${base}/missing.txt with status 404 Not Found: nope here`],
      [`ADD ${base}/noname/ /dir/`, `ADD failed: cannot determine filename for source ${base}/noname/`],
      [`COPY ${base}/dir/file.txt /f`, "COPY failed: source can't be a URL for COPY"],
      ['ADD http://127.0.0.1:1/x /x', 'ADD failed: Get "http://127.0.0.1:1/x": dial tcp 127.0.0.1:1: connect: connection refused'],
    ];
    for (const [i, [line, message]] of cases.entries()) {
      const dir = await context(`err${i}`, { Dockerfile: `FROM busybox\n${line}\n` });
      const r = await build([dir]);
      assert.equal(r.code, 1, `${line}: ${r.stdout}`);
      // The name is checked after the download, whose end prints an empty line (as Docker's).
      assert.equal(withoutIds(r.stdout), `Step 1/2 : FROM busybox\n ---> <id>\nStep 2/2 : ${line}\n${line.includes('noname') ? '\n' : ''}`);
      assert.equal(errorLine(r.stderr), message);
    }
    assert.equal(await ok(['ps', '-aq']), '');
    assert.deepEqual(await fs.readdir(path.join(d.dataRoot, 'build', 'tmp')), []);
  });
});
