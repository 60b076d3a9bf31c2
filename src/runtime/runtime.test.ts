// Root integration tests: real conmon + runc on a busybox rootfs. Each test owns a unique
// runc root, cgroup parent and temp dir, and checks at the end that nothing is left.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRuntime } from './runtime.js';
import { generateSpec } from './spec.js';
import { resolveUser } from './user.js';
import { watchExits } from './exits.js';
import { readLogs } from './logs.js';
import { removeCgroupLeftovers } from './cgroups.js';
import type { AttachSession, ContainerPaths, Runtime, SpecInput } from './types.js';
import { InvalidArgument } from '../errdefs/index.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync('/usr/bin/conmon') && existsSync('/bin/busybox');
const skip = canRun ? false : 'needs root, runc, conmon and /bin/busybox';

const tag = randomBytes(4).toString('hex');
const runcRoot = `/run/wharf-rt-test-${tag}`;
const cgroupParent = `wharf-test-${tag}`;
let tmp = '';
let rootfs = '';
let socketDir = '';
let rt: Runtime;

async function buildBusyboxRootfs(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'bin'), { recursive: true });
  await fs.copyFile('/bin/busybox', path.join(dir, 'bin', 'busybox'));
  await fs.chmod(path.join(dir, 'bin', 'busybox'), 0o755);
  const names = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((n) => n && n !== 'busybox');
  await Promise.all(names.map((n) => fs.symlink('busybox', path.join(dir, 'bin', n))));
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/alice']) await fs.mkdir(path.join(dir, d), { recursive: true });
  await fs.writeFile(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
  await fs.writeFile(path.join(dir, 'etc', 'group'), 'root:x:0:\nalice:x:1000:\nstaff:x:50:alice\n');
}

before(async () => {
  if (!canRun) return;
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-rt-'));
  rootfs = path.join(tmp, 'rootfs');
  socketDir = `/run/wharf-rt-s-${tag}`;
  await buildBusyboxRootfs(rootfs);
  rt = createRuntime({ runcRoot, socketDir });
});

after(async () => {
  if (!canRun) return;
  const left = await rt.list().catch(() => []);
  for (const c of left) await rt.delete(c.id, { force: true }).catch(() => undefined);
  await removeCgroupLeftovers(`/${cgroupParent}`);
  await fs.rm(runcRoot, { recursive: true, force: true });
  await fs.rm(socketDir, { recursive: true, force: true });
  await fs.rm(tmp, { recursive: true, force: true });
  // The leak check: nothing of ours anywhere.
  assert.deepEqual(left, [], 'tests left runc containers behind');
  assert.ok(!existsSync(runcRoot));
  for (const ctrl of await fs.readdir('/sys/fs/cgroup')) assert.ok(!existsSync(path.join('/sys/fs/cgroup', ctrl, cgroupParent)), `cgroup ${ctrl}/${cgroupParent} left`);
  const conmons = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(runcRoot));
  assert.deepEqual(conmons, [], 'conmon processes left');
});

interface Ctr extends ContainerPaths {
  id: string;
}

async function prepare(over: Partial<SpecInput> & { userSpec?: string } = {}): Promise<Ctr> {
  const id = `t${randomBytes(8).toString('hex')}`;
  const dir = path.join(tmp, id);
  const bundleDir = path.join(dir, 'bundle');
  await fs.mkdir(bundleDir, { recursive: true });
  const etc = { hostname: path.join(dir, 'hostname'), hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf') };
  await fs.writeFile(etc.hostname, 'testhost\n');
  await fs.writeFile(etc.hosts, '127.0.0.1 localhost\n');
  await fs.writeFile(etc.resolvConf, 'nameserver 127.0.0.1\n');
  const spec = generateSpec({
    rootfs,
    readonlyRootfs: false,
    args: ['true'],
    env: [],
    cwd: '/',
    user: await resolveUser(rootfs, over.userSpec ?? ''),
    hostname: 'testhost',
    tty: false,
    openStdin: false,
    network: { kind: 'private' },
    pid: { kind: 'private' },
    ipc: { kind: 'private' },
    uts: { kind: 'private' },
    etcFiles: etc,
    cgroupsPath: `/${cgroupParent}/${id}`,
    ...over,
  });
  await fs.writeFile(path.join(bundleDir, 'config.json'), JSON.stringify(spec));
  return {
    id,
    bundleDir,
    logPath: path.join(dir, 'ctr.log'),
    exitDir: path.join(tmp, 'exits'),
    pidFile: path.join(bundleDir, 'pid'),
    conmonPidFile: path.join(bundleDir, 'conmon.pid'),
  };
}

function collect(session: AttachSession): { out: () => string; err: () => string; ended: Promise<void> } {
  let out = '';
  let err = '';
  session.onOutput((stream, data) => {
    if (stream === 'stdout') out += data.toString();
    else err += data.toString();
  });
  return { out: () => out, err: () => err, ended: new Promise((r) => session.onEnd(r)) };
}

async function waitExit(c: Ctr, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const code = await rt.readExitCode(c.exitDir, c.id);
    if (code !== undefined) return code;
    if (Date.now() > deadline) throw new Error(`container ${c.id} did not exit`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function cleanup(c: Ctr): Promise<void> {
  await rt.delete(c.id, { force: true });
  await removeCgroupLeftovers(`/${cgroupParent}/${c.id}`);
}

async function readAll(c: Ctr): Promise<string> {
  let s = '';
  for await (const r of readLogs(c.logPath, { follow: false, stdout: true, stderr: true, tail: 'all' })) s += `${r.stream}:${r.data.toString()}`;
  return s;
}

test('create, attach, start: output reaches the attach socket and the log; exit code recorded', { skip }, async () => {
  const c = await prepare({ args: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
  try {
    const created = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    assert.ok(created.pid > 0 && created.conmonPid > 0);
    assert.equal((await rt.state(c.id))?.status, 'created');
    const session = await rt.attach(c.bundleDir);
    const io = collect(session);
    await rt.start(c.id, created.pid);
    assert.equal(await waitExit(c), 3);
    await io.ended;
    assert.equal(io.out(), 'out\n');
    assert.equal(io.err(), 'err\n');
    assert.equal(await readAll(c), 'stdout:out\nstderr:err\n');
    assert.equal((await rt.state(c.id))?.status, 'stopped');
  } finally {
    await cleanup(c);
  }
  assert.equal(await rt.state(c.id), undefined);
  await rt.delete(c.id); // idempotent
});

test('a missing executable fails create with InvalidArgument', { skip }, async () => {
  const c = await prepare({ args: ['nonexistent-cmd'] });
  try {
    await assert.rejects(rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' }), (err: unknown) => {
      assert.ok(err instanceof InvalidArgument, String(err));
      assert.match((err as Error).message, /executable file not found/);
      return true;
    });
  } finally {
    await cleanup(c);
  }
});

test('stdin: write, close stdin, the process sees EOF', { skip }, async () => {
  const c = await prepare({ args: ['sh', '-c', 'cat; echo done'], openStdin: true });
  try {
    const { pid: cPid } = await rt.create({ ...c, tty: false, openStdin: true, logDriver: 'k8s-file' });
    const session = await rt.attach(c.bundleDir);
    const io = collect(session);
    await rt.start(c.id, cPid);
    session.writeStdin(Buffer.from('hello\n'));
    session.writeStdin(Buffer.alloc(20000, 'x'));
    session.writeStdin(Buffer.from('\n'));
    session.closeStdin();
    assert.equal(await waitExit(c), 0);
    await io.ended;
    assert.equal(io.out(), `hello\n${'x'.repeat(20000)}\ndone\n`);
  } finally {
    await cleanup(c);
  }
});

test('tty: output through the console, resize reaches the tty', { skip }, async () => {
  const c = await prepare({ args: ['sh', '-c', 'sleep 0.3; stty size; echo $TERM'], tty: true });
  try {
    const { pid: cPid } = await rt.create({ ...c, tty: true, openStdin: false, logDriver: 'k8s-file' });
    const session = await rt.attach(c.bundleDir);
    const io = collect(session);
    await rt.start(c.id, cPid);
    await rt.resize(c.bundleDir, { height: 40, width: 120 });
    assert.equal(await waitExit(c), 0);
    await io.ended;
    assert.equal(io.out().replace(/\r/g, ''), '40 120\nxterm\n');
  } finally {
    await cleanup(c);
  }
});

test('env, hostname, user and namespaces as Docker sets them', { skip }, async () => {
  const c = await prepare({
    args: ['sh', '-c', 'echo "$HOSTNAME $HOME $PATH"; hostname; id -u; id -G; cat /etc/hostname; ls /sys/class/net | tr "\\n" " "; echo; cat /proc/self/status | grep CapEff'],
    userSpec: 'alice',
  });
  try {
    const { pid: cPid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(c.id, cPid);
    assert.equal(await waitExit(c), 0);
    const log = await readAll(c);
    assert.equal(
      log,
      [
        'stdout:testhost /home/alice /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n',
        'stdout:testhost\n',
        'stdout:1000\n',
        'stdout:1000 50\n',
        'stdout:testhost\n',
        'stdout:lo \n',
        // alice is not root: no effective capabilities
        'stdout:CapEff:\t0000000000000000\n',
      ].join(''),
    );
  } finally {
    await cleanup(c);
  }
});

test('kill with a signal name, pause/resume, pids', { skip }, async () => {
  const c = await prepare({ args: ['sh', '-c', 'trap "exit 42" TERM; sleep 100 & wait'] });
  try {
    const { pid: cPid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(c.id, cPid);
    assert.equal((await rt.state(c.id))?.status, 'running');
    assert.equal((await rt.list()).find((x) => x.id === c.id)?.status, 'running');
    const deadline = Date.now() + 2000;
    while ((await rt.pids(c.id)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await rt.pids(c.id)).length, 2);
    await rt.pause(c.id);
    assert.equal((await rt.state(c.id))?.status, 'paused');
    await rt.resume(c.id);
    assert.equal((await rt.state(c.id))?.status, 'running');
    await rt.kill(c.id, 'TERM');
    assert.equal(await waitExit(c), 42);
  } finally {
    await cleanup(c);
  }
});

test('SIGKILL exit code is 137; delete --force removes a running container', { skip }, async () => {
  const a = await prepare({ args: ['sleep', '100'] });
  const b = await prepare({ args: ['sleep', '100'] });
  try {
    const { pid: aPid } = await rt.create({ ...a, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(a.id, aPid);
    await rt.kill(a.id, 'SIGKILL');
    assert.equal(await waitExit(a), 137);
    const { pid: bPid } = await rt.create({ ...b, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(b.id, bPid);
    await rt.delete(b.id, { force: true });
    assert.equal(await rt.state(b.id), undefined);
  } finally {
    await cleanup(a);
    await cleanup(b);
  }
});

test('start goes through the exec fifo: the fifo is gone, runc reports the container running', { skip }, async () => {
  const c = await prepare({ args: ['sleep', '100'] });
  try {
    const { pid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    const fifo = path.join(runcRoot, c.id, 'exec.fifo');
    assert.ok(existsSync(fifo), 'runc keeps an exec.fifo for a created container');
    await rt.start(c.id, pid);
    assert.equal(existsSync(fifo), false);
    assert.equal((await rt.state(c.id))?.status, 'running');
    // init has exec'd: the process is the command's now, not runc's init.
    assert.equal((await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim(), 'sleep');
    // A second start is runc's to refuse, as it would be without the fifo.
    await assert.rejects(rt.start(c.id, pid), /cannot start an already running container|not created/);
  } finally {
    await cleanup(c);
  }
});

test('start of a created container whose init died: "container process is already dead", within a poll', { skip }, async () => {
  const c = await prepare({ args: ['sleep', '100'] });
  try {
    const { pid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    await assert.rejects(rt.start(c.id, pid), { message: 'container process is already dead' });
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  } finally {
    await cleanup(c);
  }
});

test('exec attached: all output, exit code; exec detached; exec of a missing command', { skip }, async () => {
  const c = await prepare({ args: ['sleep', '100'] });
  try {
    const { pid: cPid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(c.id, cPid);
    const user = await resolveUser(rootfs, '');
    const base = { env: ['PATH=/bin'], cwd: '/', user, tty: false };
    for (let i = 0; i < 3; i++) {
      const execDir = path.join(tmp, `${c.id}-e${i}`);
      const h = await rt.exec(c.id, c.bundleDir, { ...base, execId: `e${i}${c.id}`, args: ['sh', '-c', 'echo o1; echo e1 >&2; echo o2; exit 7'], openStdin: false, detach: false, execDir });
      const io = collect(h.session!);
      assert.equal(await h.exited, 7);
      await io.ended;
      assert.equal(io.out(), 'o1\no2\n');
      assert.equal(io.err(), 'e1\n');
    }
    // stdin to an exec
    const si = await rt.exec(c.id, c.bundleDir, { ...base, execId: `si${c.id}`, args: ['cat'], openStdin: true, detach: false, execDir: path.join(tmp, `${c.id}-si`) });
    const sio = collect(si.session!);
    si.session!.writeStdin(Buffer.from('piped\n'));
    si.session!.closeStdin();
    assert.equal(await si.exited, 0);
    await sio.ended;
    assert.equal(sio.out(), 'piped\n');
    // detached
    const d = await rt.exec(c.id, c.bundleDir, { ...base, execId: `d${c.id}`, args: ['sh', '-c', 'exit 5'], openStdin: false, detach: true, execDir: path.join(tmp, `${c.id}-d`) });
    assert.equal(d.session, undefined);
    assert.equal(await d.exited, 5);
    // missing command
    const m = rt.exec(c.id, c.bundleDir, { ...base, execId: `m${c.id}`, args: ['nope'], openStdin: false, detach: false, execDir: path.join(tmp, `${c.id}-m`) });
    await assert.rejects(
      m.then((h) => h.exited),
      (err: unknown) => {
        console.log(`# exec of a missing command: ${String(err)}`);
        return err instanceof InvalidArgument && /executable file not found/.test((err as Error).message);
      },
    );
    await rt.kill(c.id, 9);
    assert.equal(await waitExit(c), 137);
  } finally {
    await cleanup(c);
  }
});

test('exit watcher sees `true` exit quickly', { skip }, async () => {
  const c = await prepare({ args: ['true'] });
  const seen: number[] = [];
  let resolveSeen: (t: number) => void = () => undefined;
  const got = new Promise<number>((r) => (resolveSeen = r));
  const w = watchExits(c.exitDir, (id) => {
    if (id === c.id) {
      const t = performance.now();
      seen.push(t);
      resolveSeen(t);
    }
  });
  try {
    const t0 = performance.now();
    const { pid: cPid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    const t1 = performance.now();
    await rt.start(c.id, cPid);
    const t2 = performance.now();
    const t3 = await got;
    await rt.delete(c.id);
    const t4 = performance.now();
    console.log(`# create ${(t1 - t0).toFixed(1)} ms, start ${(t2 - t1).toFixed(1)} ms, start→exit callback ${(t3 - t2).toFixed(1)} ms, delete ${(t4 - t3).toFixed(1)} ms, total ${(t4 - t0).toFixed(1)} ms`);
    assert.equal(seen.length, 1);
  } finally {
    w.close();
    await cleanup(c);
  }
});

test('exit latency: from the process dying to the watcher callback', { skip }, async () => {
  const c = await prepare({ args: ['sleep', '100'] });
  let resolveSeen: (t: number) => void = () => undefined;
  const got = new Promise<number>((r) => (resolveSeen = r));
  const w = watchExits(c.exitDir, (id, code) => {
    if (id === c.id) resolveSeen(performance.now() + code * 0);
  });
  try {
    const { pid } = await rt.create({ ...c, tty: false, openStdin: false, logDriver: 'k8s-file' });
    await rt.start(c.id, pid);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    process.kill(pid, 'SIGKILL');
    const t1 = await got;
    console.log(`# process exit → exit callback: ${(t1 - t0).toFixed(2)} ms`);
    assert.ok(t1 - t0 < 100);
    assert.equal(await rt.readExitCode(c.exitDir, c.id), 137);
  } finally {
    w.close();
    await cleanup(c);
  }
});

test('a bundle path too long for a socket address still attaches; exec with a tty', { skip }, async () => {
  const c = await prepare({ args: ['sh', '-c', 'read line; echo "got $line"; sleep 100'], openStdin: true });
  const longDir = path.join(tmp, 'x'.repeat(60), 'y'.repeat(60));
  await fs.mkdir(path.dirname(longDir), { recursive: true });
  await fs.rename(c.bundleDir, longDir);
  const ctr = { ...c, bundleDir: longDir, pidFile: path.join(longDir, 'pid'), conmonPidFile: path.join(longDir, 'conmon.pid') };
  try {
    // leaveStdinOpen: a first client that disconnects must not close the container's stdin.
    const { pid: ctrPid } = await rt.create({ ...ctr, tty: false, openStdin: true, logDriver: 'k8s-file', leaveStdinOpen: true });
    await rt.start(ctr.id, ctrPid);
    const first = await rt.attach(ctr.bundleDir);
    first.close();
    await new Promise((r) => setTimeout(r, 50));
    const session = await rt.attach(ctr.bundleDir);
    const io = collect(session);
    session.writeStdin(Buffer.from('hi\n'));
    const deadline = Date.now() + 3000;
    while (!io.out().includes('got hi') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(io.out(), 'got hi\n');
    session.close();

    const execDir = path.join(longDir, 'exec-tty');
    const h = await rt.exec(ctr.id, ctr.bundleDir, {
      execId: `tty${ctr.id}`,
      args: ['sh', '-c', 'sleep 0.2; stty size; tty'],
      env: ['PATH=/bin', 'TERM=xterm'],
      cwd: '/',
      user: await resolveUser(rootfs, ''),
      tty: true,
      openStdin: false,
      detach: false,
      execDir,
    });
    const eio = collect(h.session!);
    await rt.resize(execDir, { height: 30, width: 90 });
    assert.equal(await h.exited, 0);
    await eio.ended;
    assert.equal(eio.out().replace(/\r/g, ''), '30 90\n/dev/pts/0\n');
  } finally {
    await cleanup(ctr);
  }
});
