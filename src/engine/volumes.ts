// The volume operations the /volumes routes call: the volume layer plus what only the
// engine knows (which containers refer to a volume) and the volume events.
import { InvalidArgument, isKind } from '../errdefs/index.js';
import { ANONYMOUS_LABEL, type VolumeRecord, type VolumeService, type VolumeView } from '../volume/index.js';
import type { ContainerStore } from './container-store.js';
import { dirSize } from './disk-usage.js';
import type { EventBus } from './events.js';
import { matchLabels, type Filters } from './filters.js';
import { assertUnused, volumeUsers } from './mounts.js';

export interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

const LIST_FILTERS = ['dangling', 'name', 'label', 'driver'];
const PRUNE_FILTERS = ['label', 'label!', 'all'];

export class VolumeOps {
  constructor(
    private readonly volumes: VolumeService,
    private readonly store: ContainerStore,
    private readonly events: EventBus,
  ) {}

  private get ctx() {
    return { listContainers: () => this.store.list() };
  }

  async create(body: VolumeCreateBody): Promise<VolumeView> {
    const { volume, created } = await this.volumes.create({
      name: body.Name ?? '', driver: body.Driver ?? '', labels: body.Labels ?? {}, options: body.DriverOpts ?? {},
    });
    if (created) this.events.publish('volume', 'create', volume.name, { driver: volume.driver });
    return this.volumes.view(volume);
  }

  inspect(name: string): VolumeView {
    return this.volumes.view(this.volumes.get(name));
  }

  /** `GET /volumes`: filters dangling, name (substring), label, driver. */
  list(filters: Filters): { Volumes: VolumeView[]; Warnings: null } {
    for (const key of Object.keys(filters)) if (!LIST_FILTERS.includes(key)) throw new InvalidArgument(`Invalid filter '${key}'`);
    const dangling = filters.dangling?.map(parseBoolFilter);
    const out = this.volumes.list().filter((v) => {
      if (dangling && !dangling.includes(volumeUsers(this.ctx, v.name).length === 0)) return false;
      if (filters.name && !filters.name.some((n) => v.name.includes(n))) return false;
      if (filters.driver && !filters.driver.includes(v.driver)) return false;
      if (filters.label && !matchLabels(v.labels, filters.label)) return false;
      return true;
    });
    return { Volumes: out.map((v) => this.volumes.view(v)), Warnings: null };
  }

  /** `DELETE /volumes/{name}`: refused while a container refers to it, even with force. */
  async remove(name: string, opts: { force: boolean }): Promise<void> {
    if (!this.volumes.find(name)) {
      if (opts.force) return;
      this.volumes.get(name); // throws Docker's "get x: no such volume"
    }
    assertUnused(this.ctx, name);
    await this.volumes.remove(name);
    this.events.publish('volume', 'destroy', name, { driver: 'local' });
  }

  /** API ≥ 1.42: only anonymous volumes unless `all=true`; never one a container refers to. */
  async prune(filters: Filters, opts: { apiAtLeast142: boolean }): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    for (const key of Object.keys(filters)) if (!PRUNE_FILTERS.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    const all = !opts.apiAtLeast142 || (filters.all ?? []).some((v) => parseBoolFilter(v));
    const deleted: string[] = [];
    let space = 0;
    for (const v of this.volumes.list()) {
      if (!all && !(ANONYMOUS_LABEL in v.labels)) continue;
      if (filters.label && !matchLabels(v.labels, filters.label)) continue;
      if (filters['label!'] && filters['label!'].some((l) => matchLabels(v.labels, [l]))) continue;
      if (volumeUsers(this.ctx, v.name).length) continue;
      const size = await dirSize(this.volumes.mountpoint(v.name)).catch(() => 0);
      try {
        await this.volumes.remove(v.name);
      } catch (err) {
        if (isKind(err, 'not-found')) continue;
        throw err;
      }
      this.events.publish('volume', 'destroy', v.name, { driver: 'local' });
      deleted.push(v.name);
      space += size;
    }
    this.events.publish('volume', 'prune', '', { reclaimed: String(space) });
    return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: space };
  }

  /** `system df`: every volume with its size and how many containers refer to it. */
  async usage(): Promise<(VolumeView & { UsageData: { Size: number; RefCount: number } })[]> {
    return Promise.all(this.volumes.list().map(async (v: VolumeRecord) => ({
      ...this.volumes.view(v),
      UsageData: { Size: await dirSize(this.volumes.mountpoint(v.name)).catch(() => 0), RefCount: volumeUsers(this.ctx, v.name).length },
    })));
  }
}

function parseBoolFilter(v: string): boolean {
  if (['1', 'true', 'True', 'TRUE'].includes(v)) return true;
  if (['0', 'false', 'False', 'FALSE'].includes(v)) return false;
  throw new InvalidArgument(`invalid filter 'dangling=${v}'`);
}
