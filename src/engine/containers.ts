// The container service the API calls: create, list, inspect, remove, rename, prune,
// top, export, logs and attach. Start/stop and exits are in lifecycle.ts.
import { execFile, spawn } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { ContainerCreateRequest } from '../contract/index.js';
import { Conflict, InvalidArgument, isKind, msg, withContext } from '../errdefs/index.js';
import { tarOutput } from '../archive/tar-child.js';
import { familiarName } from '../image/index.js';
import { type LogRecord, type ReadLogsOptions } from '../runtime/index.js';
import { readRotatedLogs } from '../runtime/log-rotation.js';
import { failpoint } from '../store/index.js';
import { AttachHub, type AttachClient } from './attach.js';
import { isActive, type ContainerRecord } from './container.js';
import { containerAttributes, createContainer, type CreateContainerOptions } from './create.js';
import { mountContext, runtimePaths, type EngineDeps } from './deps.js';
import { mountViews, removeAnonymousVolumes, usesVolume } from './mounts.js';
import { dirSize } from './disk-usage.js';
import { containerFilter, matchLabels, parseUntil, type Filters } from './filters.js';
import { inspectContainer, summarizeContainer } from './inspect.js';
import { Lifecycle } from './lifecycle.js';
import { validateName } from './names.js';
import { mountRootfs, rootfsPaths, unmountRootfs } from './rootfs.js';

const run = promisify(execFile);

/** `docker logs` options as the API receives them; the engine adds when to stop following. */
export type LogOptions = Omit<ReadLogsOptions, 'untilExited' | 'signal'>;

export class ContainerService {
  readonly attachHub: AttachHub;
  readonly lifecycle: Lifecycle;

  constructor(private readonly deps: EngineDeps) {
    this.attachHub = new AttachHub(deps.runtime);
    this.lifecycle = new Lifecycle(deps, this.attachHub);
    this.lifecycle.removeAfterExit = (rec) => this.remove(rec.spec.id, { force: true, volumes: true }).catch(() => undefined);
  }

  create(body: ContainerCreateRequest, name?: string, opts: CreateContainerOptions = {}) {
    return createContainer(this.deps, body, name, opts);
  }

  get(ref: string): ContainerRecord {
    return this.deps.store.get(ref);
  }

  /** Image IDs containers use, for `rmi` conflicts and `image prune`. */
  usersOfImage(imageId: string): ContainerRecord[] {
    return this.deps.store.list().filter((c) => c.spec.imageId === imageId);
  }

  async list(opts: { all: boolean; limit?: number; size: boolean; filters: Filters }) {
    const match = containerFilter(opts.filters, {
      resolve: (r) => this.deps.store.find(r),
      usesVolume,
      ancestorIds: (r) => {
        try {
          return [this.deps.images.resolve(r).id];
        } catch {
          return [];
        }
      },
    });
    let recs = this.deps.store
      .list()
      .filter((c) => opts.all || (opts.limit !== undefined && opts.limit > 0) || isActive(c.state) || opts.filters.status !== undefined)
      .filter(match)
      .sort((a, b) => Date.parse(b.spec.created) - Date.parse(a.spec.created));
    if (opts.limit !== undefined && opts.limit > 0) recs = recs.slice(0, opts.limit);
    return Promise.all(recs.map(async (rec) => summarizeContainer(rec, this.imageDisplay(rec), opts.size ? await this.sizes(rec) : undefined, mountViews(rec, (name) => this.deps.volumes.mountpoint(name)))));
  }

  /** `ps` shows the name the user gave unless the image has since been retagged away from it. */
  private imageDisplay(rec: ContainerRecord): string {
    try {
      const img = this.deps.images.resolve(rec.spec.image);
      if (img.id === rec.spec.imageId) return rec.spec.image;
    } catch {
      // the name no longer resolves
    }
    try {
      const img = this.deps.images.resolve(rec.spec.imageId);
      return img.repoTags[0] ? familiarName(img.repoTags[0]) : rec.spec.imageId;
    } catch {
      return rec.spec.imageId;
    }
  }

  private async sizes(rec: ContainerRecord): Promise<{ rw: number; rootFs: number }> {
    const rw = await dirSize(rootfsPaths(this.deps.store.containerDir(rec.spec.id)).upper);
    let imageSize = 0;
    try {
      imageSize = this.deps.images.resolve(rec.spec.imageId).size;
    } catch {
      // image gone: only the rw layer counts
    }
    return { rw, rootFs: rw + imageSize };
  }

  async inspect(ref: string, opts: { size: boolean }) {
    const rec = this.get(ref);
    const dir = this.deps.store.containerDir(rec.spec.id);
    const rootfs = rootfsPaths(dir);
    let lower: string[] = [];
    try {
      lower = this.deps.images.rootfsLayers(rec.spec.imageId).lowerDirs;
    } catch {
      // image removed with --force: inspect still works
    }
    const sizes = opts.size ? await this.sizes(rec) : undefined;
    return inspectContainer(rec, {
      logPath: runtimePaths(this.deps.config, dir, rec.spec.id).logPath,
      rootfs: { ...rootfs, lower },
      sizeRw: sizes?.rw,
      sizeRootFs: sizes?.rootFs,
      mounts: mountViews(rec, (name) => this.deps.volumes.mountpoint(name)),
    });
  }

  /** `volumes`: also its anonymous volumes no other container uses (`rm -v`). */
  async remove(ref: string, opts: { force: boolean; volumes?: boolean }): Promise<void> {
    const rec = this.get(ref);
    const id = rec.spec.id;
    if (isActive(rec.state)) {
      if (!opts.force) {
        throw new Conflict(
          rec.state.status === 'paused'
            ? `cannot remove container "/${rec.spec.name}": container is paused and must be unpaused first`
            : `cannot remove container "/${rec.spec.name}": container is running: stop the container before removing or force remove`,
        );
      }
      const exited = this.lifecycle.waiters.nextExit(id);
      await this.lifecycle.kill(id, 'SIGKILL').catch(() => undefined);
      await exited;
    }
    await this.lifecycle.locks.run(id, async () => {
      if (!this.deps.store.find(id)) return;
      this.attachHub.dropPending(id);
      const paths = runtimePaths(this.deps.config, this.deps.store.containerDir(id), id);
      await this.deps.runtime.delete(id, { force: true });
      await unmountRootfs(rootfsPaths(this.deps.store.containerDir(id)));
      await this.deps.store.remove(rec);
      failpoint('rm:after-record-delete');
      await rm(paths.bundleDir, { recursive: true, force: true });
      this.deps.events.publish('container', 'destroy', id, containerAttributes(rec));
      // Before waking `wait?condition=removed`: `run --rm` returns with the volumes gone.
      if (opts.volumes) await removeAnonymousVolumes(mountContext(this.deps), rec).catch(() => undefined);
      this.lifecycle.waiters.wasRemoved(id, rec.state.exitCode);
    });
  }

  async rename(ref: string, newName: string): Promise<void> {
    if (!newName) throw new InvalidArgument('Neither old nor new names may be empty');
    const rec = this.get(ref);
    const name = validateName(newName);
    if (name === rec.spec.name) throw new Conflict(`Renaming a container with the same name as its current name`);
    const oldName = rec.spec.name;
    await this.deps.store.rename(rec, name).catch((err: unknown) => {
      throw isKind(err, 'conflict') ? withContext(err, 'Error when allocating new name') : err;
    });
    this.deps.events.publish('container', 'rename', rec.spec.id, containerAttributes(rec, { oldName: `/${oldName}` }));
  }

  async prune(filters: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    for (const key of Object.keys(filters)) if (!['until', 'label', 'label!'].includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    const until = filters.until?.[0] ? parseUntil(filters.until[0]) : undefined;
    const deleted: string[] = [];
    let space = 0;
    for (const rec of this.deps.store.list()) {
      if (isActive(rec.state)) continue;
      if (until !== undefined && Date.parse(rec.spec.created) >= until) continue;
      const labels = rec.spec.config.Labels ?? {};
      if (filters.label && !matchLabels(labels, filters.label)) continue;
      if (filters['label!'] && filters['label!'].some((l) => matchLabels(labels, [l]))) continue;
      space += await dirSize(rootfsPaths(this.deps.store.containerDir(rec.spec.id)).upper);
      await this.remove(rec.spec.id, { force: false });
      deleted.push(rec.spec.id);
    }
    this.deps.events.publish('container', 'prune', '', { reclaimed: String(space) });
    // Docker sends null, not [], when nothing was deleted (a nil Go slice).
    return { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: space };
  }

  /** `docker top`: the host's `ps` output, filtered to the container's processes. */
  async top(ref: string, psArgs = '-ef'): Promise<{ Titles: string[]; Processes: string[][] }> {
    const rec = this.get(ref);
    if (!isActive(rec.state)) throw new Conflict(msg.containerNotRunning(rec.spec.id));
    const pids = new Set(await this.deps.runtime.pids(rec.spec.id));
    const args = psArgs.split(/\s+/).filter(Boolean);
    let stdout: string;
    try {
      ({ stdout } = await run('ps', args, { maxBuffer: 64 * 1024 * 1024 }));
    } catch (err) {
      throw new InvalidArgument(`Error running ps: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
    }
    const lines = stdout.split('\n').filter((l) => l.trim() !== '');
    const titles = lines[0].trim().split(/\s+/);
    const pidCol = titles.indexOf('PID');
    if (pidCol < 0) throw new InvalidArgument(`Couldn't find PID field in ps output`);
    const processes = lines.slice(1).flatMap((line) => {
      const fields = line.trim().split(/\s+/);
      if (!pids.has(Number(fields[pidCol]))) return [];
      // The last column (the command) keeps its spaces.
      const head = fields.slice(0, titles.length - 1);
      return [[...head, fields.slice(titles.length - 1).join(' ')]];
    });
    return { Titles: titles, Processes: processes };
  }

  /** `docker export`: the container's merged file system as a tar stream. */
  async export(ref: string): Promise<{ stream: Readable; done: () => Promise<void> }> {
    const rec = this.get(ref);
    const rootfs = rootfsPaths(this.deps.store.containerDir(rec.spec.id));
    const mountedHere = !isActive(rec.state);
    const locks = this.lifecycle.locks;
    // Under the container's lock, as start, rm and cp mount and unmount: a `rm` sent the
    // moment the export's body ends must not race its unmount.
    if (mountedHere) {
      const { lowerDirs } = await this.deps.images.unpackedRootfs(rec.spec.imageId);
      await locks.run(rec.spec.id, () => mountRootfs(lowerDirs, rootfs));
    }
    // Docker's export names entries "bin/", ".dockerenv", …: no "./" prefix, no root entry.
    const top = (await readdir(rootfs.merged)).sort();
    // --ignore-failed-read: a file root cannot read is left out, the rest goes on, as Docker's
    // export logs and skips it; any other tar failure still cuts the response.
    const child = spawn('tar', ['--numeric-owner', '--xattrs', '--ignore-failed-read', '-C', rootfs.merged, '-cf', '-', ...(top.length ? ['--', ...top] : ['-T', '/dev/null'])], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The stream errors if tar fails midway; the route then cuts the response.
    const tar = tarOutput(child, `container ${rec.spec.id}`);
    this.deps.events.publish('container', 'export', rec.spec.id, containerAttributes(rec));
    return {
      stream: tar.stream,
      done: async () => {
        // A client that hung up leaves tar blocked on a full pipe: stop it before unmounting.
        tar.kill();
        await tar.done;
        if (mountedHere) {
          await locks.run(rec.spec.id, async () => {
            if (!isActive(rec.state)) await unmountRootfs(rootfs).catch(() => undefined);
          });
        }
      },
    };
  }

  /**
   * `untilProcessExit`: a follow ends as soon as the process is gone and its output logged (a
   * build's RUN), not once the engine has recorded the exit, as `docker logs -f` does (a
   * client's `rm` right after must find the container stopped).
   */
  logs(ref: string, opts: LogOptions, signal: AbortSignal, how: { untilProcessExit?: boolean } = {}): { tty: boolean; records: AsyncIterable<LogRecord> } {
    const rec = this.get(ref);
    if (rec.spec.hostConfig.LogConfig?.Type === 'none') {
      throw new InvalidArgument('configured logging driver does not support reading');
    }
    const paths = runtimePaths(this.deps.config, this.deps.store.containerDir(rec.spec.id), rec.spec.id);
    const { waiters } = this.lifecycle;
    const following = opts.follow && isActive(rec.state);
    const exit = !following ? undefined : how.untilProcessExit ? waiters.nextProcessExit(rec.spec.id) : waiters.nextExit(rec.spec.id);
    const untilExited = exit ? exit.then(() => undefined) : Promise.resolve();
    return {
      tty: !!rec.spec.config.Tty,
      records: readRotatedLogs(paths.logPath, { ...opts, follow: following, untilExited, signal }),
    };
  }

  /** Attaches a hijacked connection; before start it waits for the start to connect it. */
  async attach(ref: string, client: Omit<AttachClient, 'tty' | 'stdinOnce'>): Promise<{ tty: boolean }> {
    const rec = this.get(ref);
    const full: AttachClient = { ...client, tty: !!rec.spec.config.Tty, stdinOnce: !!rec.spec.config.StdinOnce, stdin: client.stdin && !!rec.spec.config.OpenStdin };
    if (isActive(rec.state)) {
      await this.attachHub.connect(runtimePaths(this.deps.config, this.deps.store.containerDir(rec.spec.id), rec.spec.id).bundleDir, full);
    } else {
      this.attachHub.waitForStart(rec.spec.id, full);
    }
    return { tty: full.tty };
  }

  async resize(ref: string, size: { height: number; width: number }): Promise<void> {
    const rec = this.get(ref);
    if (!isActive(rec.state)) throw new Conflict(msg.containerNotRunning(rec.spec.id));
    await this.deps.runtime.resize(runtimePaths(this.deps.config, this.deps.store.containerDir(rec.spec.id), rec.spec.id).bundleDir, size);
  }
}

/** `until` filter values: RFC 3339 timestamps, unix seconds, or Go durations ("10m", "24h"). */
