// Starting, stopping and the end of a container's life. Every transition of one container
// runs under its lock, so `start`, an exit, `stop` and `rm` never interleave.
//
// An exit is learned from conmon's exit file (through `onExit`); the same path serves a
// container that died while wharfd was down (reconcile calls `onExit` for it).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, InvalidArgument, Internal, NotFound, NotModified, isKind, msg } from '../errdefs/index.js';
import { buildSpec, type NamespaceChoice } from '../runtime/index.js';
import { resolveProcessUser } from './process-user.js';
import { failpoint, KeyedMutex, writeJsonAtomic } from '../store/index.js';
import type { AttachHub } from './attach.js';
import { isActive, type ContainerRecord } from './container.js';
import { containerAttributes, networkKind } from './create.js';
import { writeNetworkedEtcFiles } from './etc-files.js';
import { mountContext, runtimePaths, type EngineDeps } from './deps.js';
import { acquireMounts, releaseMounts } from './mounts.js';
import { oomKilledIn, resourceSpecOpts } from './resources.js';
import { RestartSupervisor } from './restart.js';
import { containerLogLimits } from './log-config.js';
import { NO_HEALTH, type HealthHooks } from './health.js';
import { conmonSizeMax, rotateBeforeStart } from '../runtime/log-rotation.js';
import { mountRootfs, rootfsPaths, unmountRootfs } from './rootfs.js';
import { releaseShm, resolveSecurity } from './security.js';
import { Waiters } from './waiters.js';

const DEFAULT_STOP_TIMEOUT_S = 10;
/** How long `kill` (SIGKILL) waits for the exit before answering anyway. */
const KILL_WAIT_MS = 10_000;

export class Lifecycle {
  readonly locks = new KeyedMutex();
  readonly waiters = new Waiters();
  /** Restart policies: decides after each exit, owns the back-off timers. */
  readonly restarts: RestartSupervisor;
  /** Health check monitors (health.ts), set by the engine. */
  health: HealthHooks = NO_HEALTH;

  constructor(
    private readonly deps: EngineDeps,
    private readonly attach: AttachHub,
  ) {
    this.restarts = new RestartSupervisor(deps.store, (id) => this.startByPolicy(id));
  }

  paths(rec: ContainerRecord) {
    return runtimePaths(this.deps.config, this.deps.store.containerDir(rec.spec.id), rec.spec.id);
  }

  async start(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    let started = false;
    try {
      await this.locks.run(rec.spec.id, async () => {
        if (rec.state.status === 'paused') throw new Conflict('cannot start a paused container, try unpause instead');
        if (isActive(rec.state)) throw new NotModified('container already started');
        started = true;
        this.restarts.reset(rec);
        await this.startLocked(rec);
      });
    } catch (err) {
      // Docker removes an AutoRemove container whose start failed before it answers, so
      // the client sees it gone (`run --rm` waits for that). Outside the lock: rm takes it.
      if (started && rec.spec.hostConfig.AutoRemove) await this.removeAfterExit(rec);
      throw err;
    }
  }

  /** The restart policy's start after a back-off; a failed one leaves the container exited. */
  private async startByPolicy(id: string): Promise<void> {
    const rec = this.deps.store.find(id);
    if (!rec) return;
    await this.locks.run(id, async () => {
      if (rec.state.status !== 'restarting') return;
      try {
        await this.startLocked(rec);
      } catch {
        rec.state.status = 'exited';
        await this.deps.store.save(rec);
      }
    });
  }

  /** `stop`/`kill` of a container waiting to restart: no restart, it is exited. */
  private async cancelRestart(rec: ContainerRecord): Promise<void> {
    await this.locks.run(rec.spec.id, async () => {
      if (rec.state.status !== 'restarting') return;
      this.restarts.cancel(rec.spec.id);
      rec.state.status = 'exited';
      await this.deps.store.save(rec);
    });
    this.waiters.exited(rec.spec.id, rec.state.exitCode);
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    const { spec } = rec;
    const paths = this.paths(rec);
    const rootfs = rootfsPaths(this.deps.store.containerDir(spec.id));
    await this.deps.runtime.delete(spec.id, { force: true }); // a leftover of a previous run
    await fs.rm(path.join(paths.exitDir, spec.id), { force: true });
    await mountRootfs((await this.deps.images.unpackedRootfs(spec.imageId)).lowerDirs, rootfs, { volatile: !!spec.buildIntermediate });
    failpoint('start:after-mount');
    let wiring: { ready: Promise<void>; wired: Promise<void> } | undefined;
    try {
      const user = await resolveProcessUser(rootfs.merged, spec.config.User ?? '');
      const net = networkKind(spec.hostConfig.NetworkMode);
      let netns = this.netnsFor(net);
      const primary = await this.deps.networks.prepare(rec);
      if (primary && net === 'own') {
        // The netns and its veths are made now by one spawn, which goes on while runc sets up
        // the rest: runc joins the netns, and no wiring is left between create and start.
        wiring = this.deps.networks.wireNewNetns(rec, rootfs.netns);
        if (wiring) netns = { kind: 'path', path: rootfs.netns };
      }
      if (primary) {
        await writeNetworkedEtcFiles(rec, {
          ips: primary.ipv6 ? [primary.ip, primary.ipv6] : [primary.ip],
          dnsServer: this.deps.networks.dnsServerFor(rec),
          hostGateway: this.deps.networks.hostGateway(),
        });
      }
      const sec = await resolveSecurity(rec, {
        findContainer: (ref) => this.deps.store.find(ref),
        containerDir: (id) => this.deps.store.containerDir(id),
        rootfs: rootfs.merged,
        hostNetwork: net === 'host',
      });
      const volumeMounts = await acquireMounts(mountContext(this.deps), rec, rootfs.merged);
      const ociSpec = buildSpec({
        rootfs: rootfs.merged,
        readonlyRootfs: !!spec.hostConfig.ReadonlyRootfs,
        args: [spec.path, ...spec.args],
        env: spec.config.Env ?? [],
        cwd: spec.config.WorkingDir || '/',
        user,
        hostname: spec.config.Hostname ?? '',
        tty: !!spec.config.Tty,
        openStdin: !!spec.config.OpenStdin,
        network: netns,
        pid: sec.pid,
        ipc: sec.ipc,
        uts: sec.uts,
        mounts: [...sec.mounts, ...volumeMounts],
        security: sec.security,
        etcFiles: { hostname: spec.hostnamePath, hosts: spec.hostsPath, resolvConf: spec.resolvConfPath },
        cgroupsPath: `/${this.deps.config.cgroupParent}/${spec.id}`,
      }, resourceSpecOpts(spec.hostConfig));
      await fs.mkdir(paths.bundleDir, { recursive: true });
      // Written anew at every start and read only by `runc create`: no fsync.
      await writeJsonAtomic(path.join(paths.bundleDir, 'config.json'), ociSpec, { durable: false });
      const logLimits = containerLogLimits(spec.hostConfig);
      if (logLimits) await rotateBeforeStart(paths.logPath, logLimits);
      await wiring?.ready;
      const created = await this.deps.runtime.create({
        ...paths,
        tty: !!spec.config.Tty,
        openStdin: !!spec.config.OpenStdin,
        // Only `run -i` (StdinOnce) closes the container's stdin when its client goes.
        leaveStdinOpen: !spec.config.StdinOnce,
        logDriver: spec.hostConfig.LogConfig?.Type === 'none' ? 'none' : 'k8s-file',
        logSizeMax: logLimits ? conmonSizeMax(logLimits) : undefined,
      });
      failpoint('start:after-conmon');
      await wiring?.wired;
      await this.attach.connectPending(spec.id, paths.bundleDir);
      await this.deps.runtime.start(spec.id, created.pid);
      Object.assign(rec.state, {
        status: 'running',
        pid: created.pid,
        conmonPid: created.conmonPid,
        exitCode: 0,
        error: '',
        startedAt: new Date().toISOString(),
        stoppedByUser: false,
        oomKilled: false,
      });
      await this.deps.store.save(rec);
    } catch (err) {
      // Wiring still under way must end before its netns is unmounted.
      await wiring?.wired.catch(() => undefined);
      await this.failStart(rec, err);
      throw startError(err);
    }
    this.deps.events.publish('container', 'start', spec.id, containerAttributes(rec));
    this.health.started(rec);
  }

  /** `--network container:<x>` joins x's netns, which exists only while x runs. */
  private netnsFor(net: ReturnType<typeof networkKind>): NamespaceChoice {
    if (net === 'host') return { kind: 'host' };
    if (net === 'own') return { kind: 'private' };
    const other = this.deps.store.get(net.container);
    if (other.state.status !== 'running' && other.state.status !== 'paused') {
      throw new Conflict(`cannot join network namespace of a non running container: ${other.spec.id}`);
    }
    return { kind: 'path', path: `/proc/${other.state.pid}/ns/net` };
  }

  /** Docker leaves a container whose start failed "created", with the exit code a shell would give. */
  private async failStart(rec: ContainerRecord, err: unknown): Promise<void> {
    const text = err instanceof Error ? err.message : String(err);
    await this.deps.runtime.delete(rec.spec.id, { force: true }).catch(() => undefined);
    // The netns (and the veths holding the addresses) goes with the unmount: before the leases.
    await unmountRootfs(rootfsPaths(this.deps.store.containerDir(rec.spec.id))).catch(() => undefined);
    await this.deps.networks.release(rec).catch(() => undefined);
    await releaseShm(this.deps.store.containerDir(rec.spec.id));
    await releaseMounts(mountContext(this.deps), rec);
    this.attach.dropPending(rec.spec.id);
    rec.state.exitCode = /permission denied/i.test(text) ? 126 : /not found|no such file/i.test(text) ? 127 : 128;
    rec.state.error = text;
    rec.state.status = 'created';
    await this.deps.store.save(rec).catch(() => undefined);
    this.deps.events.publish('container', 'die', rec.spec.id, containerAttributes(rec, { exitCode: String(rec.state.exitCode) }));
    this.waiters.exited(rec.spec.id, rec.state.exitCode);
  }

  /** Called when conmon reports an exit (or reconcile finds one). */
  async onExit(id: string, exitCode: number, opts: { finishedAt?: string } = {}): Promise<void> {
    const rec = this.deps.store.find(id);
    if (!rec) return;
    await this.locks.run(id, async () => {
      if (!isActive(rec.state)) return;
      await this.cleanupAfterExit(rec, exitCode, opts.finishedAt);
    });
    if (rec.spec.hostConfig.AutoRemove) await this.removeAfterExit(rec);
  }

  private async cleanupAfterExit(rec: ContainerRecord, exitCode: number, finishedAt = new Date().toISOString()): Promise<void> {
    const paths = this.paths(rec);
    this.waiters.processExited(rec.spec.id, exitCode);
    this.health.stopped(rec.spec.id);
    // Before `runc delete`: the OOM count goes with the cgroup.
    const oomKilled = await oomKilledIn(`/${this.deps.config.cgroupParent}/${rec.spec.id}`);
    // Independent steps, run together: each is a process spawn or a syscall round trip,
    // and this path is on every `run --rm`'s critical path.
    // The addresses go back once the netns holding them is unmounted.
    await Promise.all([
      this.deps.runtime.delete(rec.spec.id, { force: true }).catch(() => undefined),
      unmountRootfs(rootfsPaths(this.deps.store.containerDir(rec.spec.id))).then(() => this.deps.networks.release(rec).catch(() => undefined)),
      releaseShm(this.deps.store.containerDir(rec.spec.id)),
      releaseMounts(mountContext(this.deps), rec),
    ]);
    const execDuration = String(Math.max(0, Math.floor((Date.now() - Date.parse(rec.state.startedAt)) / 1000)));
    const restart = this.restarts.decide(rec, exitCode);
    Object.assign(rec.state, { status: restart ? 'restarting' : 'exited', pid: 0, conmonPid: 0, exitCode, finishedAt, oomKilled });
    await Promise.all([this.deps.store.save(rec), fs.rm(paths.bundleDir, { recursive: true, force: true })]);
    // Only once the record holds the exit code: a crash before this keeps the exit file.
    await fs.rm(path.join(paths.exitDir, rec.spec.id), { force: true });
    if (oomKilled) this.deps.events.publish('container', 'oom', rec.spec.id, containerAttributes(rec));
    this.deps.events.publish('container', 'die', rec.spec.id, containerAttributes(rec, { execDuration, exitCode: String(exitCode) }));
    this.waiters.exited(rec.spec.id, exitCode);
    if (restart) this.restarts.schedule(rec.spec.id);
  }

  /** Set by the container service: removes an AutoRemove container once it has exited. */
  removeAfterExit: (rec: ContainerRecord) => Promise<void> = async () => undefined;

  /** Sends a signal; for SIGKILL, returns once the exit is recorded (as Docker's kill does). */
  async kill(ref: string, signal = 'SIGKILL'): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (!isActive(rec.state)) throw new Conflict(msg.containerNotRunning(rec.spec.id));
    const sig = normaliseSignal(signal);
    const exited = sig === 'SIGKILL' ? this.waiters.nextExit(rec.spec.id) : undefined;
    rec.state.stoppedByUser = true;
    this.deps.events.publish('container', 'kill', rec.spec.id, containerAttributes(rec, { signal: String(signalNumber(sig)) }));
    if (rec.state.status === 'restarting') return this.cancelRestart(rec);
    // The process may exit (and runc forget it) before its exit is recorded: not running.
    await this.deps.runtime.kill(rec.spec.id, sig).catch((err: unknown) => {
      throw isKind(err, 'not-found') ? new Conflict(msg.containerNotRunning(rec.spec.id), { cause: err }) : err;
    });
    if (rec.state.status === 'paused' && sig === 'SIGKILL') await this.deps.runtime.resume(rec.spec.id).catch(() => undefined);
    if (exited) await withTimeout(exited, KILL_WAIT_MS);
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeoutS`. */
  async stop(ref: string, opts: { timeoutS?: number; signal?: string } = {}): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (!isActive(rec.state)) throw new NotModified('container already stopped');
    const timeoutS = opts.timeoutS ?? rec.spec.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const signal = opts.signal || rec.spec.config.StopSignal || 'SIGTERM';
    const exited = this.waiters.nextExit(rec.spec.id);
    rec.state.stoppedByUser = true;
    if (rec.state.status === 'restarting') {
      await this.cancelRestart(rec);
    } else if (rec.state.status === 'paused') {
      await this.kill(rec.spec.id, 'SIGKILL');
    } else if (timeoutS !== 0) {
      await this.kill(rec.spec.id, signal).catch(ignoreNotRunning);
    }
    const graceful = timeoutS < 0 ? await exited.then(() => true) : await withTimeout(exited, timeoutS * 1000);
    if (!graceful) {
      await this.kill(rec.spec.id, 'SIGKILL').catch(ignoreNotRunning);
      await exited;
    }
    this.deps.events.publish('container', 'stop', rec.spec.id, containerAttributes(rec));
  }

  async restart(ref: string, opts: { timeoutS?: number; signal?: string } = {}): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (isActive(rec.state)) await this.stop(rec.spec.id, opts);
    await this.start(rec.spec.id);
    this.deps.events.publish('container', 'restart', rec.spec.id, containerAttributes(rec));
  }

  async pause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    await this.locks.run(rec.spec.id, async () => {
      if (rec.state.status === 'paused') throw new Conflict(msg.containerAlreadyPaused(rec.spec.id));
      if (!isActive(rec.state)) throw new Conflict(msg.containerNotRunning(rec.spec.id));
      await this.deps.runtime.pause(rec.spec.id);
      rec.state.status = 'paused';
      await this.deps.store.save(rec);
    });
    this.deps.events.publish('container', 'pause', rec.spec.id, containerAttributes(rec));
  }

  async unpause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    await this.locks.run(rec.spec.id, async () => {
      if (rec.state.status !== 'paused') throw new Conflict(msg.containerNotPaused(rec.spec.id));
      await this.deps.runtime.resume(rec.spec.id);
      rec.state.status = 'running';
      await this.deps.store.save(rec);
    });
    this.deps.events.publish('container', 'unpause', rec.spec.id, containerAttributes(rec));
  }

  /** `POST /containers/{id}/wait`: condition not-running (default), next-exit or removed. */
  async wait(ref: string, condition: string, signal: AbortSignal): Promise<number> {
    const rec = this.deps.store.get(ref);
    const id = rec.spec.id;
    if (!['', 'not-running', 'next-exit', 'removed'].includes(condition)) {
      throw new InvalidArgument(`invalid condition: "${condition}"`);
    }
    if (condition === 'removed') return this.waiters.removed(id, signal);
    if ((condition === '' || condition === 'not-running') && !isActive(rec.state)) return rec.state.exitCode;
    return abortable(this.waiters.nextExit(id), signal);
  }
}

function ignoreNotRunning(err: unknown): void {
  if (!(err instanceof Conflict)) throw err;
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(new Error('client went away'));
    signal.addEventListener('abort', () => reject(new Error('client went away')), { once: true });
    p.then(resolve, reject);
  });
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** "TERM", "sigterm", "15" → "SIGTERM"; unknown ones are refused with Docker's wording. */
export function normaliseSignal(signal: string): string {
  const s = signal.trim().toUpperCase();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === n);
    if (name) return name;
    if (n >= 34 && n <= 64) return s;
    throw new InvalidArgument(`Invalid signal: ${signal}`);
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (!(name in SIGNALS)) throw new InvalidArgument(`Invalid signal: ${signal}`);
  return name;
}

function signalNumber(sig: string): number {
  return SIGNALS[sig] ?? Number(sig);
}

/** Start errors keep runc's message (the CLI derives exit codes 126/127 from it). */
function startError(err: unknown): Error {
  if (err instanceof Conflict) return err;
  const text = err instanceof Error ? err.message : String(err);
  if (!/^OCI runtime/.test(text)) return err instanceof InvalidArgument || err instanceof Internal || err instanceof NotFound ? err : new Internal(text);
  const wrapped = `failed to create task for container: failed to create shim task: ${text}: unknown`;
  return err instanceof InvalidArgument ? new InvalidArgument(wrapped) : new Internal(wrapped);
}
