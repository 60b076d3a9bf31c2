// The `Runtime` the engine uses: conmon monitors each container and exec, the OCI runtime
// (runc by default, anything with runc's command line works) does the work. This driver
// keeps no state of its own: everything it needs is in the paths the engine passes in
// and in the runtime's root, so a restarted wharfd picks up where it left off.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errnoCode, Internal } from '../errdefs/index.js';
import { attachTo, resizeTerminal } from './attach.js';
import { startThroughExecFifo } from './exec-fifo.js';
import { spawnConmon, startError, type SpawnedConmon } from './conmon.js';
import { RuncCli } from './runc.js';
import { parseSignal } from './signals.js';
import type { OciProcess } from './spec_types.js';
import { updateFlags, type LinuxResources } from './spec_resources.js';
import type { AttachSession, CreateOptions, ExecHandle, ExecOptions, Runtime, RuntimeState } from './types.js';

export interface RuntimeOptions {
  /** The OCI runtime's state root (`--root`), one per wharf data root. */
  runcRoot: string;
  /** Default /usr/sbin/runc. */
  runtimePath?: string;
  /** Default /usr/bin/conmon. */
  conmonPath?: string;
  /**
   * Short directory for conmon's attach-socket symlinks (unix socket paths are limited to
   * 107 bytes). Default: `<dirname(runcRoot)>/conmon`.
   */
  socketDir?: string;
}

export function createRuntime(opts: RuntimeOptions): Runtime {
  return new ConmonRuntime(opts);
}

export class ConmonRuntime implements Runtime {
  private readonly runc: RuncCli;
  private readonly conmonPath: string;
  private readonly socketDir: string;

  constructor(opts: RuntimeOptions) {
    this.runc = new RuncCli({ runtimePath: opts.runtimePath ?? '/usr/sbin/runc', root: opts.runcRoot });
    this.conmonPath = opts.conmonPath ?? '/usr/bin/conmon';
    this.socketDir = opts.socketDir ?? path.join(path.dirname(opts.runcRoot), 'conmon');
  }

  private commonArgs(o: { id: string; cuuid: string; bundle: string; pidFile: string; log: string; exitDir: string }): string[] {
    return [
      '--api-version', '1',
      '-c', o.id,
      '-u', o.cuuid,
      '-n', o.id,
      '-r', this.runc.runtimePath,
      '-b', o.bundle,
      '-p', o.pidFile,
      '-l', o.log,
      '--exit-dir', o.exitDir,
      '--socket-dir-path', this.socketDir,
      '--runtime-arg', `--root=${this.runc.root}`,
    ];
  }

  async create(opts: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
    await Promise.all(
      [opts.exitDir, this.socketDir, path.dirname(opts.pidFile), path.dirname(opts.conmonPidFile), path.dirname(opts.logPath)].map((d) =>
        fs.mkdir(d, { recursive: true }),
      ),
    );
    const args = [
      ...this.commonArgs({
        id: opts.id,
        cuuid: opts.id,
        bundle: opts.bundleDir,
        pidFile: opts.pidFile,
        log: opts.logDriver === 'none' ? 'none' : `k8s-file:${opts.logPath}`,
        exitDir: opts.exitDir,
      }),
      '-P', opts.conmonPidFile,
      // conmon fsyncs the log as the container ends, before it reports the exit; Docker's
      // log drivers do not, and a wharfd killed meanwhile loses nothing of the page cache.
      '--no-sync-log',
      ...(opts.logSizeMax ? ['--log-size-max', String(opts.logSizeMax)] : []),
      ...(opts.tty ? ['-t'] : []),
      ...(opts.openStdin ? ['-i'] : []),
      ...(opts.leaveStdinOpen ? ['--leave-stdin-open'] : []),
    ];
    const conmon = spawnConmon(this.conmonPath, args, { exec: false, cwd: opts.bundleDir });
    try {
      const msg = await conmon.sync.next();
      if (!msg || msg.data < 0) throw startError('create', msg?.message ?? (await stderrOf(conmon)));
      const conmonPid = Number((await fs.readFile(opts.conmonPidFile, 'utf8')).trim());
      return { pid: msg.data, conmonPid };
    } finally {
      conmon.sync.close();
    }
  }

  async start(id: string, initPid: number): Promise<void> {
    if (!(await startThroughExecFifo(this.runc.root, id, initPid))) await this.runc.start(id);
  }

  kill(id: string, signal: string | number, all = false): Promise<void> {
    return this.runc.kill(id, parseSignal(signal), { all });
  }

  pause(id: string): Promise<void> {
    return this.runc.pause(id);
  }

  resume(id: string): Promise<void> {
    return this.runc.resume(id);
  }

  delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.runc.delete(id, opts);
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    const s = await this.runc.state(id);
    return s && { status: s.status, pid: s.pid };
  }

  async list(): Promise<{ id: string; status: RuntimeState['status']; pid: number }[]> {
    return (await this.runc.list()).map((s) => ({ id: s.id, status: s.status, pid: s.pid }));
  }

  readExitCode(exitDir: string, id: string): Promise<number | undefined> {
    return readExitFile(path.join(exitDir, id));
  }

  attach(bundleDir: string): Promise<AttachSession> {
    return attachTo(bundleDir, { shortDir: this.socketDir });
  }

  resize(bundleDir: string, size: { height: number; width: number }): Promise<void> {
    return resizeTerminal(bundleDir, size);
  }

  pids(id: string): Promise<number[]> {
    return this.runc.ps(id);
  }

  async update(id: string, resources: LinuxResources): Promise<void> {
    await this.runc.run(['update', ...updateFlags(resources), id]);
  }

  async exec(containerId: string, bundleDir: string, opts: ExecOptions): Promise<ExecHandle> {
    await Promise.all([fs.mkdir(opts.execDir, { recursive: true }), fs.mkdir(this.socketDir, { recursive: true })]);
    const processFile = path.join(opts.execDir, 'process.json');
    await fs.writeFile(processFile, JSON.stringify(await execProcess(bundleDir, opts)));
    const args = [
      ...this.commonArgs({
        id: containerId,
        cuuid: opts.execId,
        bundle: opts.execDir,
        pidFile: path.join(opts.execDir, 'pid'),
        // Docker keeps no log of exec output: attached clients get it, detached ones lose it.
        log: 'none',
        exitDir: opts.execDir,
      }),
      '-e',
      '--exec-attach',
      '--exec-process-spec', processFile,
      ...(opts.tty ? ['-t'] : []),
      ...(opts.openStdin && !opts.detach ? ['-i'] : []),
    ];
    const conmon = spawnConmon(this.conmonPath, args, { exec: true, cwd: opts.execDir });
    let session: AttachSession | undefined;
    try {
      conmon.start!.write('0');
      const ready = await conmon.attach!.next();
      if (!ready || ready.data < 0) throw startError('exec', ready?.message ?? (await failureOf(conmon)));
      if (!opts.detach) session = await this.attach(opts.execDir);
      await new Promise<void>((resolve, reject) => conmon.start!.end('0', () => resolve()).once('error', reject));
      const started = await conmon.sync.next();
      if (!started || started.data < 0) throw startError('exec', started?.message ?? (await failureOf(conmon)));
      const exited = conmon.sync.next().then(async (m) => {
        conmon.sync.close();
        if (m && m.data >= 0) return m.data;
        const code = await readExitFile(path.join(opts.execDir, opts.execId));
        if (code === undefined) throw new Internal(`exec ${opts.execId}: conmon ended without an exit code`);
        return code;
      });
      // Callers that never look at `exited` must not crash wharfd with an unhandled rejection.
      exited.catch(() => undefined);
      return { pid: started.data, session, exited };
    } catch (err) {
      session?.close();
      conmon.sync.close();
      conmon.attach!.close();
      throw err;
    } finally {
      conmon.attach!.close();
    }
  }
}

/** The exec's process: the container's (capabilities, rlimits, …) with the exec's own fields. */
async function execProcess(bundleDir: string, opts: ExecOptions): Promise<OciProcess> {
  const config = JSON.parse(await fs.readFile(path.join(bundleDir, 'config.json'), 'utf8')) as { process: OciProcess };
  const env = opts.env.some((e) => e.startsWith('HOME=')) ? [...opts.env] : [...opts.env, `HOME=${opts.user.home || '/'}`];
  const user: OciProcess['user'] = { uid: opts.user.uid, gid: opts.user.gid };
  if (opts.user.additionalGids.length > 0) user.additionalGids = [...opts.user.additionalGids];
  return { ...config.process, terminal: opts.tty, args: [...opts.args], env, cwd: opts.cwd || '/', user };
}

async function stderrOf(conmon: SpawnedConmon): Promise<string> {
  await conmon.parentExited;
  return conmon.stderr() || 'conmon exited without reporting a result';
}

/** Prefer the runtime's message from the sync pipe; fall back to conmon's stderr. */
async function failureOf(conmon: SpawnedConmon): Promise<string> {
  const m = await conmon.sync.next();
  if (m?.message) return m.message;
  return stderrOf(conmon);
}

async function readExitFile(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  const code = Number.parseInt(text.trim(), 10);
  return Number.isNaN(code) ? undefined : code;
}
