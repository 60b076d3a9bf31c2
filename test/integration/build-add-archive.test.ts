// ADD of a local archive, against what Docker 20.10's classic builder did with the same
// files (DOCKER_BUILDKIT=0): gzip unpacks; a .tar.zst (20.10 knows no zstd) and a .tar.gz
// whose data is garbage are copied as files; a truncated .tar.gz fails the step with the
// unpack's real error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorLine, withoutIds } from './build-helpers.js';
import { startDaemon, type TestDaemon } from './harness.js';

describe('build: ADD of local archives', () => {
  let d: TestDaemon;
  let scratch: string;
  const archives: Record<string, Buffer> = {};

  const build = (args: string[]) => d.docker(['build', ...args], { timeoutMs: 120_000 });
  /** A context with `file` and a Dockerfile that ADDs it to /x/ and lists the files there. */
  const addContext = async (file: string): Promise<string> => {
    const dir = path.join(scratch, `ctx-${file}`);
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, file), archives[file]!);
    await fs.writeFile(path.join(dir, 'Dockerfile'), `FROM busybox\nADD ${file} /x/\nRUN find /x -type f | sort | xargs stat -c "%n %s %a"\n`);
    return dir;
  };

  before(async () => {
    process.env.DOCKER_BUILDKIT = '0';
    d = await startDaemon();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-it-build-add-archive-'));
    const src = path.join(scratch, 'src');
    await fs.mkdir(path.join(src, 'd'), { recursive: true });
    await fs.writeFile(path.join(src, 'd/a.txt'), 'hello\n');
    // Random, so the gzip is as big as the tar and cutting it cuts the data.
    await fs.writeFile(path.join(src, 'd/big'), randomBytes(200_000));
    const tar = execFileSync('tar', ['-C', src, '-cf', '-', 'd']);
    archives['ok.tar.gz'] = execFileSync('gzip', ['-c'], { input: tar });
    archives['ok.tar.zst'] = execFileSync('zstd', ['-q', '-c'], { input: tar });
    archives['garbage.tar.gz'] = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), randomBytes(2000)]);
    archives['trunc.tar.gz'] = archives['ok.tar.gz'].subarray(0, 60_000);
  });
  after(async () => {
    await fs.rm(scratch, { recursive: true, force: true });
    await d.close();
  });

  const listing = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('/x/'));

  test('ADD x.tar.gz unpacks into the destination', async () => {
    const r = await build(['--no-cache', await addContext('ok.tar.gz')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listing(r.stdout), ['/x/d/a.txt 6 644', '/x/d/big 200000 644']);
  });

  test('ADD x.tar.zst is copied as a file (Docker 20.10 detects no zstd)', async () => {
    const r = await build(['--no-cache', await addContext('ok.tar.zst')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listing(r.stdout), [`/x/ok.tar.zst ${archives['ok.tar.zst']!.length} 644`]);
  });

  test('ADD of a .tar.gz whose data is garbage copies it as a file', async () => {
    const r = await build(['--no-cache', await addContext('garbage.tar.gz')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(listing(r.stdout), ['/x/garbage.tar.gz 2003 644']);
  });

  test('ADD of a truncated .tar.gz fails the step with the unpack error', async () => {
    const r = await build(['--no-cache', await addContext('trunc.tar.gz')]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(withoutIds(r.stdout), 'Step 1/3 : FROM busybox\n ---> <id>\nStep 2/3 : ADD trunc.tar.gz /x/\n');
    assert.equal(errorLine(r.stderr), 'failed to copy files: Error processing tar file(exit status 1): unexpected EOF');
  });
});
