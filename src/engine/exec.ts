// `docker exec`: exec instances live in memory (as in Docker) from create until their
// container is removed; each start runs the process under conmon in the container.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { Conflict, InvalidArgument, NotFound, msg } from '../errdefs/index.js';
import { resolveProcessUser } from './process-user.js';
import type { AttachClient } from './attach.js';
import { pipe } from './attach.js';
import { isActive, type ContainerRecord } from './container.js';
import { containerAttributes } from './create.js';
import { runtimePaths, type EngineDeps } from './deps.js';
import { mergeEnv } from './merge-config.js';
import { rootfsPaths } from './rootfs.js';
import { frame } from './stdio-frames.js';

export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[];
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecCreateRequest;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
}

export class ExecService {
  private execs = new Map<string, ExecInstance>();

  constructor(private readonly deps: EngineDeps) {
    // Every way a container goes (rm, rm -f, --rm, prune) ends in its `destroy` event.
    deps.events.subscribe((e) => {
      if (e.Type === 'container' && e.Action === 'destroy') this.forgetContainer(e.Actor.ID);
    });
  }

  create(containerRef: string, body: ExecCreateRequest): { Id: string } {
    const rec = this.deps.store.get(containerRef);
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw new InvalidArgument('No exec command specified');
    requireRunning(rec);
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId: rec.spec.id, config: body, running: false, started: false, exitCode: null, pid: 0 });
    this.deps.events.publish('container', `exec_create: ${body.Cmd.join(' ')}`, rec.spec.id, containerAttributes(rec, { execID: id }));
    return { Id: id };
  }

  get(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw new NotFound(msg.noSuchExec(id));
    return e;
  }

  /** Exec IDs of a container (inspect's ExecIDs); forgotten when it is removed. */
  idsOf(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }

  /** Drops a finished exec (a health probe's: Docker keeps no trace of those in ExecIDs). */
  forget(id: string): void {
    this.execs.delete(id);
  }

  private forgetContainer(containerId: string): void {
    for (const id of this.idsOf(containerId)) this.execs.delete(id);
  }

  inspect(id: string) {
    const e = this.get(id);
    const [entrypoint, ...args] = e.config.Cmd ?? [];
    return {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: { tty: !!e.config.Tty, entrypoint, arguments: args, privileged: !!e.config.Privileged, user: e.config.User ?? '' },
      OpenStdin: !!e.config.AttachStdin,
      OpenStderr: !!e.config.AttachStderr,
      OpenStdout: !!e.config.AttachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys ?? '',
      Pid: e.pid,
    };
  }

  /**
   * Starts the exec. With a client, its output goes there and the connection closes after
   * the exit code is recorded (the docker CLI reads it from inspect right after).
   */
  async start(id: string, opts: { detach: boolean; tty?: boolean; client?: Omit<AttachClient, 'tty' | 'stdinOnce'> }): Promise<void> {
    const e = this.get(id);
    if (e.started) throw new Conflict(`Error: Exec command ${id} has already run`);
    const rec = this.deps.store.get(e.containerId);
    requireRunning(rec);
    e.started = true;
    e.running = true;
    const tty = opts.tty ?? !!e.config.Tty;
    const dir = this.deps.store.containerDir(rec.spec.id);
    const execDir = path.join(this.deps.config.execRoot, 'e', id.slice(0, 16));
    const attrs = containerAttributes(rec, { execID: id });
    const cmdText = (e.config.Cmd ?? []).join(' ');
    try {
      const user = await resolveProcessUser(rootfsPaths(dir).merged, e.config.User || rec.spec.config.User || '');
      await fs.mkdir(execDir, { recursive: true });
      const handle = await this.deps.runtime.exec(rec.spec.id, runtimePaths(this.deps.config, dir, rec.spec.id).bundleDir, {
        execId: id,
        args: e.config.Cmd ?? [],
        env: mergeEnv(rec.spec.config.Env ?? [], e.config.Env ?? []),
        cwd: e.config.WorkingDir || rec.spec.config.WorkingDir || '/',
        user,
        tty,
        openStdin: !!e.config.AttachStdin && !opts.detach,
        detach: opts.detach,
        execDir,
      });
      e.pid = handle.pid;
      this.deps.events.publish('container', `exec_start: ${cmdText}`, rec.spec.id, attrs);
      const client = opts.client ? { ...opts.client, tty, stdinOnce: true } : undefined;
      const outputDone = new Promise<void>((resolve) => {
        if (!handle.session || !client) return resolve();
        // The connection stays open until the exit code is recorded (below).
        pipe(handle.session, client, resolve);
      });
      const finish = async () => {
        const code = await handle.exited;
        await outputDone;
        e.exitCode = code;
        e.running = false;
        e.pid = 0;
        this.deps.events.publish('container', 'exec_die', rec.spec.id, { ...attrs, exitCode: String(code) });
        client?.socket.end();
        await fs.rm(execDir, { recursive: true, force: true });
      };
      if (opts.detach) void finish();
      else await finish();
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      e.exitCode = /permission denied/i.test(text) ? 126 : /not found|no such file/i.test(text) ? 127 : 126;
      e.running = false;
      await fs.rm(execDir, { recursive: true, force: true });
      const message = Buffer.from(`${text}: unknown\r\n`);
      if (opts.client) {
        opts.client.socket.end(tty ? message : frame('stdout', message));
        return;
      }
      throw new InvalidArgument(`${text}: unknown`);
    }
  }

  async resize(id: string, size: { height: number; width: number }): Promise<void> {
    const e = this.get(id);
    if (!e.running) throw new Conflict(`Exec session ${id} is not running`);
    await this.deps.runtime.resize(path.join(this.deps.config.execRoot, 'e', id.slice(0, 16)), size);
  }
}

function requireRunning(rec: ContainerRecord): void {
  if (rec.state.status === 'paused') throw new Conflict(`Container ${rec.spec.id} is paused, unpause the container before exec`);
  if (!isActive(rec.state)) throw new Conflict(msg.containerNotRunning(rec.spec.id));
}
