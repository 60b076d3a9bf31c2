// `compose down`: the project's containers (in reverse dependency order), then its
// networks, then with `-v` its named volumes, with `--rmi` its images. Works from labels
// alone when there is no compose file (`-p NAME down`).
import type { EngineClient } from '../client/index.js';
import { projectContainers, serviceOf } from './containers.js';
import { imageName } from './convert.js';
import { listNetworks, removeNetwork } from '../client/index.js';
import { notFoundAsUndefined } from './engine-api.js';
import * as L from './labels.js';
import { inDependencyOrder } from './order.js';
import type { Project } from './model.js';
import type { Progress } from './progress.js';
import { removeOne } from './up.js';

export interface DownOptions {
  /** The loaded model, when there is one: limits what is removed to what it declares. */
  model?: Project;
  removeOrphans?: boolean;
  volumes?: boolean;
  rmi?: 'local' | 'all';
  timeout?: number;
}

export async function down(c: EngineClient, project: string, o: DownOptions, progress: Progress): Promise<void> {
  const all = await projectContainers(c, project, { all: true, oneoff: 'any' });
  const m = o.model;
  const known = (svc: string): boolean => !m || Boolean(m.services[svc] || m.disabled[svc]);
  const orphans = all.filter((x) => !known(serviceOf(x)));
  if (orphans.length && !o.removeOrphans) progress.note(`WARN[0000] Found orphan containers ([${orphans.map((x) => (x.Names?.[0] ?? '').slice(1)).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.\n`);
  const targets = all.filter((x) => known(serviceOf(x)) || o.removeOrphans);
  // Dependents stop before what they depend on.
  await inDependencyOrder(m && { ...m.disabled, ...m.services }, targets, 'reverse', (x) => removeOne(c, x, { timeout: o.timeout, volumes: o.volumes }, progress));

  const nets = await listNetworks(c, { label: [L.projectFilter(project)] });
  for (const n of nets.sort((a, b) => (a.Name < b.Name ? -1 : 1))) {
    const key = n.Labels?.[L.NETWORK];
    if (m && key && m.networks[key]?.external) continue;
    progress.event('Network', n.Name, 'Removing');
    try {
      await removeNetwork(c, n.Id);
      progress.event('Network', n.Name, 'Removed');
    } catch (e) {
      progress.event('Network', n.Name, `Error: ${(e as Error).message}`);
      throw e;
    }
  }
  if (o.volumes) {
    const vols = (await c.listVolumes({ label: [L.projectFilter(project)] })).Volumes ?? [];
    for (const v of vols.sort((a, b) => (a.Name < b.Name ? -1 : 1))) {
      const key = v.Labels?.[L.VOLUME];
      if (m && key && m.volumes[key]?.external) continue;
      progress.event('Volume', v.Name, 'Removing');
      await notFoundAsUndefined(c.removeVolume(v.Name));
      progress.event('Volume', v.Name, 'Removed');
    }
  }
  if (o.rmi && m) {
    const imgs = new Set(Object.values(m.services).filter((s) => o.rmi === 'all' || (s.build && !s.image)).map((s) => imageName(m, s)));
    for (const ref of [...imgs].sort()) {
      const gone = await notFoundAsUndefined(c.removeImage(ref));
      if (gone) { progress.event('Image', ref, 'Removing'); progress.event('Image', ref, 'Removed'); }
    }
  }
}
