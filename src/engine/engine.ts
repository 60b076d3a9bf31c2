// The daemon's object model, assembled from its parts. Built by src/daemon/wire.ts.
import { promises as fs } from 'node:fs';
import { sweepMountViews } from '../archive/mount-view.js';
import { watchExits } from '../runtime/index.js';
import { sweepTemp } from '../store/index.js';
import { ArchiveService } from './archive.js';
import { commitContainer, containerChanges, type CommitRequest } from './commit.js';
import { ContainerFs } from './container-fs.js';
import { ContainerService } from './containers.js';
import { exitDir, type EngineDeps } from './deps.js';
import { ExecService } from './exec.js';
import { execProbeRunner, HealthMonitor } from './health.js';
import { LogKeeper } from './log-keeper.js';
import { reconcile } from './reconcile.js';
import { StatsService } from './stats.js';
import { updateContainer, type UpdateRequest } from './update.js';
import { VolumeOps } from './volumes.js';
import { isActive, type ContainerRecord } from './container.js';

export class Engine {
  readonly containers: ContainerService;
  readonly exec: ExecService;
  readonly stats: StatsService;
  readonly volumes: VolumeOps;
  /** `docker cp`'s archive endpoints (archive.ts). */
  readonly archive: ArchiveService;
  private stopWatching: (() => void) | undefined;
  private readonly logKeeper: LogKeeper;
  private readonly health: HealthMonitor;

  constructor(readonly deps: EngineDeps) {
    this.containers = new ContainerService(deps);
    this.exec = new ExecService(deps);
    this.health = new HealthMonitor(deps, execProbeRunner(this.exec), (rec, action) => this.actOnUnhealthy(rec, action));
    this.containers.lifecycle.health = this.health;
    this.logKeeper = new LogKeeper(deps);
    this.stats = new StatsService(deps);
    this.volumes = new VolumeOps(deps.volumes, deps.store, deps.events);
    this.archive = new ArchiveService(deps, new ContainerFs(deps, this.containers.lifecycle.locks));
  }

  /**
   * HealthOnFailure (Podman's actions): kill and stop are a user's (no restart policy
   * follows); restart counts in RestartCount, as a policy restart does.
   */
  private async actOnUnhealthy(rec: ContainerRecord, action: 'kill' | 'restart' | 'stop'): Promise<void> {
    const lifecycle = this.containers.lifecycle;
    if (action === 'kill') return lifecycle.kill(rec.spec.id, 'SIGKILL');
    if (action === 'stop') return lifecycle.stop(rec.spec.id);
    await lifecycle.restart(rec.spec.id);
    // After: a start by hand (which the restart is) zeroes the count, as Docker's does.
    rec.state.restartCount++;
    await this.deps.store.save(rec);
  }

  /** `docker diff` (commit.ts). */
  changes(ref: string) {
    return containerChanges(this.deps, ref);
  }

  /** `docker commit` (commit.ts): the new image's ID. */
  commit(req: CommitRequest): Promise<string> {
    return commitContainer(this.deps, this.containers.lifecycle, req);
  }

  /** `docker update`: resources and restart policy, live when running (update.ts). */
  update(ref: string, body: UpdateRequest): Promise<{ Warnings: string[] }> {
    return updateContainer(this.deps, this.containers.lifecycle.locks, ref, body);
  }

  get images() {
    return this.deps.images;
  }

  get registry() {
    return this.deps.registry;
  }

  get events() {
    return this.deps.events;
  }

  get networks() {
    return this.deps.networks;
  }

  /** Loads the store and reconciles it with the host; the engine serves after this. */
  async init(): Promise<void> {
    await fs.mkdir(exitDir(this.deps.config), { recursive: true });
    await this.deps.images.init();
    await this.deps.volumes.load();
    const { orphanDirs } = await this.deps.store.load();
    await sweepTemp(this.deps.config.execRoot);
    await sweepMountViews(this.deps.config.execRoot);
    // Watch before reconciling, so an exit that happens meanwhile is not missed.
    const watcher = watchExits(exitDir(this.deps.config), (id, code, exitedAt) => {
      void this.containers.lifecycle.onExit(id, code, { finishedAt: exitedAt.toISOString() }).catch(() => undefined);
    });
    this.stopWatching = () => watcher.close();
    await this.deps.networks.layer.init();
    await reconcile(this.deps, this.containers.lifecycle, orphanDirs);
    await this.deps.networks.restore();
    // Volumes with a file system of their own stay mounted only for running containers.
    const users = new Map<string, Set<string>>();
    for (const rec of this.deps.store.list()) {
      if (!isActive(rec.state) || rec.state.status === 'restarting') continue;
      for (const m of rec.spec.mounts ?? []) if (m.type === 'volume') users.set(m.name!, (users.get(m.name!) ?? new Set()).add(rec.spec.id));
    }
    await this.deps.volumes.reconcile(users);
    this.containers.lifecycle.restarts.resume((id) => this.containers.lifecycle.start(id));
    // As Docker's restore: health checks of running containers start over ("starting").
    for (const rec of this.deps.store.list()) if (rec.state.status === 'running' || rec.state.status === 'paused') this.health.started(rec);
    this.logKeeper.start();
  }

  close(): void {
    this.health.close();
    this.containers.lifecycle.restarts.close();
    this.logKeeper.close();
    this.stopWatching?.();
    void this.deps.networks.layer.close();
  }
}
