// Crash safety: wharfd killed with SIGKILL leaves its containers running (conmon owns
// them); a restarted wharfd finds them again, with their logs, exec, stop and exit codes.
// A SIGKILL in the middle of an import leaves no image and a store that loads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { busyboxTar, startDaemon, TARGET, type TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('crash safety', { skip: TARGET === 'docker' ? 'kills the daemon' : false }, () => {
  let d: TestDaemon;

  const ok = (args: string[], cli: 'docker' | 'wharf' = 'docker') => d.ok(args, cli);

  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.close();
  });

  test('a running container survives kill -9 of wharfd: ps, logs written meanwhile, exec, stop', async () => {
    const id = (await ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])).trim();
    const pid = Number((await ok(['inspect', '-f', '{{.State.Pid}}', id])).trim());
    assert.ok(pid > 0 && alive(pid));
    await sleep(500);
    await d.kill9();
    const downAt = Date.now();
    assert.ok(alive(pid), 'the container process outlives the daemon');
    await sleep(1500);
    assert.ok(alive(pid));
    const upAt = Date.now();
    await d.restart();

    for (const cli of ['docker', 'wharf'] as const) {
      const ps = (await ok(['ps', '--filter', `id=${id}`, '--format', '{{.Names}}|{{.Status}}'], cli)).trim();
      assert.match(ps, /^ticker\|Up (\d+ seconds|Less than a second|About a minute)$/, cli);
      assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Pid}}', id], cli)).trim(), `running true ${pid}`);
    }
    // Lines conmon wrote while no daemon was there are in the log, with their times.
    const logs = await ok(['logs', '-t', id]);
    const times = logs.split('\n').filter(Boolean).map((l) => {
      const [ts, text] = l.split(' ');
      assert.equal(text, 'tick');
      return Date.parse(ts!);
    });
    const meanwhile = times.filter((t) => t > downAt + 100 && t < upAt - 100);
    assert.ok(meanwhile.length >= 4, `ticks while the daemon was down: ${meanwhile.length} of ${times.length}`);
    // ...and new ones keep coming, now followed by this daemon.
    const before = times.length;
    await sleep(600);
    const afterCount = (await ok(['logs', id])).split('\n').filter(Boolean).length;
    assert.ok(afterCount > before, `${afterCount} > ${before}`);

    for (const cli of ['docker', 'wharf'] as const) {
      assert.equal(await ok(['exec', id, 'sh', '-c', 'echo exec-ok; exit 0'], cli), 'exec-ok\n');
      const r = await d[cli](['exec', id, 'sh', '-c', 'exit 5']);
      assert.equal(r.code, 5);
    }
    // sh as PID 1 ignores SIGTERM: stop escalates to SIGKILL after -t.
    assert.equal(await ok(['stop', '-t', '1', id]), `${id}\n`);
    assert.ok(!alive(pid));
    assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', id])).trim(), 'exited 137 false');
    assert.match((await ok(['ps', '-a', '--filter', `id=${id}`, '--format', '{{.Status}}'])).trim(), /^Exited \(137\) (Less than a second|\d+ seconds?) ago$/);
    await ok(['rm', id]);
  });

  test('a container that exits while wharfd is down shows its real exit code after restart', async () => {
    const id = (await ok(['run', '-d', 'busybox', 'sh', '-c', 'sleep 1; echo bye; exit 7'])).trim();
    const pid = Number((await ok(['inspect', '-f', '{{.State.Pid}}', id])).trim());
    await d.kill9();
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    assert.ok(!alive(pid), 'exited while the daemon was down');
    await sleep(1100);
    const restartAt = Date.now();
    await d.restart();
    // The exit time is when the process exited (conmon's record), not when we noticed.
    const [started, finished] = (await ok(['inspect', '-f', '{{.State.StartedAt}} {{.State.FinishedAt}}', id])).trim().split(' ').map((t) => Date.parse(t!));
    assert.ok(finished! - started! >= 900 && finished! - started! < 3000, `ran ${finished! - started!} ms`);
    assert.ok(finished! < restartAt - 1000, `finished ${restartAt - finished!} ms before the restart`);
    for (const cli of ['docker', 'wharf'] as const) {
      assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}', id], cli)).trim(), 'exited 7 false 0');
      assert.match((await ok(['ps', '-a', '--filter', `id=${id}`, '--format', '{{.Status}}'], cli)).trim(), /^Exited \(7\) \d+ seconds? ago$/);
      assert.equal(await ok(['ps', '-q', '--filter', `id=${id}`], cli), '');
    }
    assert.equal(await ok(['logs', id]), 'bye\n');
    assert.equal(await ok(['wait', id]), '7\n');
    // It can be started again and exits the same way.
    await ok(['start', id]);
    assert.equal(await ok(['wait', id]), '7\n');
    await ok(['rm', id]);
  });

  test('a stopped container keeps its exit code across clean and unclean restarts', async () => {
    const id = (await ok(['run', '-d', 'busybox', 'sh', '-c', 'exit 42'])).trim();
    assert.equal(await ok(['wait', id]), '42\n');
    const created = (await ok(['create', '--name', 'never-started', 'busybox', 'true'])).trim();
    await d.restart();
    assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).trim(), 'exited 42');
    await d.kill9();
    await d.restart();
    for (const cli of ['docker', 'wharf'] as const) {
      assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id], cli)).trim(), 'exited 42');
      assert.equal((await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.Name}}', created], cli)).trim(), 'created 0 /never-started');
    }
    await ok(['rm', id, created]);
  });

  test('kill -9 during an import leaves no image and a store that loads', async () => {
    const listing = async () => {
      const out: string[] = [];
      for (const sub of ['image', 'layers', 'content/blobs/sha256']) {
        for (const e of await fs.readdir(path.join(d.dataRoot, sub)).catch(() => [] as string[])) out.push(`${sub}/${e}`);
      }
      return out.sort();
    };
    const imagesBefore = await ok(['images', '-a', '-q', '--no-trunc']);
    const storeBefore = await listing();

    // A tar: the busybox rootfs, then a 64 MiB file, sent slowly.
    const bb = readFileSync(await busyboxTar());
    const body = bb.subarray(0, bb.length - 1024); // without the end-of-archive blocks
    const big = 64 * 1024 * 1024;
    const header = Buffer.alloc(512);
    header.write('big.bin', 0);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${big.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\x0000', 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);

    const req = http.request({ socketPath: d.socket, method: 'POST', path: '/images/create?fromSrc=-&repo=half&tag=1', headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' } });
    const responded = new Promise<void>((resolve) => {
      req.on('response', (res) => { res.resume(); res.on('end', () => resolve()); res.on('error', () => resolve()); });
      req.on('error', () => resolve());
    });
    req.write(body);
    req.write(header);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    for (let i = 0; i < 24; i++) {
      req.write(chunk);
      await sleep(40);
    }
    // The daemon is now half-way through unpacking the layer.
    await d.kill9();
    req.destroy();
    await responded;
    await d.restart();

    for (const cli of ['docker', 'wharf'] as const) {
      assert.equal(await ok(['images', '-a', '-q', '--no-trunc'], cli), imagesBefore);
      const r = await d[cli](['image', 'inspect', 'half:1']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error response from daemon: No such image: half:1\n');
    }
    // The start-up sweep removed the half-written blob and layer.
    assert.deepEqual(await listing(), storeBefore);
    const tmp = await fs.readdir(path.join(d.dataRoot, 'layers')).then((l) => l.filter((n) => n.startsWith('.') || n.includes('tmp')));
    assert.deepEqual(tmp, []);
    // The store works: images run, and a new import succeeds.
    assert.equal(await ok(['run', '--rm', 'busybox', 'echo', 'store-ok']), 'store-ok\n');
    const id = (await ok(['import', await busyboxTar(), 'after-crash:1'])).trim();
    assert.equal(await ok(['rmi', 'after-crash:1']), `Untagged: after-crash:1\nDeleted: ${id}\n`);
  });

  test('kill -9 while a GET archive holds its mount view: the restarted daemon unmounts and removes it', async () => {
    const views = path.join(d.execRoot, 'archive-views');
    const mountedViews = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4]?.startsWith(`${views}/`));
    const id = (await ok(['run', '-d', '-v', 'crashview:/data', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/data/big bs=1M count=16 2>/dev/null; sleep 600'])).trim();
    let req: http.ClientRequest | undefined;
    try {
      for (let i = 0; (await ok(['exec', id, 'stat', '-c', '%s', '/data/big']).catch(() => '')).trim() !== String(16 << 20); i++) {
        if (i > 100) throw new Error('the volume file never reached 16 MiB');
        await sleep(100);
      }
      // The response is never read: tar blocks on a full socket and the view stays mounted.
      // `/` holds the volume's mount point, so it is archived through a view (`/data` itself
      // would be read through the mount table, with none).
      await new Promise<void>((resolve, reject) => {
        req = http.get({ socketPath: d.socket, path: `/containers/${id}/archive?path=/` }, (res) => {
          res.pause();
          resolve();
        });
        req.on('error', reject);
      });
      assert.ok(mountedViews().length > 0, 'a view is mounted while the archive streams');
      await d.kill9();
      req!.destroy();
      assert.ok(mountedViews().length > 0, 'the killed daemon left its view mounted');
      await d.restart();
      assert.deepEqual(mountedViews(), []);
      assert.deepEqual(await fs.readdir(views), []);
      assert.equal((await ok(['inspect', '-f', '{{.State.Status}}', id])).trim(), 'running');
    } finally {
      req?.destroy();
      await ok(['rm', '-f', id]);
      await ok(['volume', 'rm', 'crashview']);
    }
  });

  test("a build's leftovers (a killed wharfd's mounts, spooled context, cache temp files) are gone after restart", async () => {
    const tmp = path.join(d.dataRoot, 'build', 'tmp');
    const mountPoint = path.join(tmp, 'root-left', 'm');
    await fs.mkdir(mountPoint, { recursive: true });
    await fs.mkdir(path.join(tmp, 'ctx-left'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'ctx-left', 'Dockerfile'), 'FROM busybox\n');
    await fs.mkdir(path.join(d.dataRoot, 'build', 'cache'), { recursive: true });
    const cacheTemp = path.join(d.dataRoot, 'build', 'cache', '.wharf-tmp-abc.json-1234');
    await fs.writeFile(cacheTemp, '{');
    const mounted = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint]);
    try {
      await d.kill9();
      await d.restart();
      assert.equal(mounted(), false);
      assert.equal(existsSync(tmp), false);
      assert.equal(existsSync(cacheTemp), false);
    } finally {
      if (mounted()) execFileSync('umount', ['-l', mountPoint]);
    }
  });
});
