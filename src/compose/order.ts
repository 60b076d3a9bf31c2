// Acting on a project's containers in dependency order, as Compose v2's InDependencyOrder
// (start, restart, unpause) and InReverseDependencyOrder (stop, kill, pause, rm, down):
// service layer by service layer, a layer's containers at once. Containers of services the
// model does not know (orphans, or every container when there is no model) come last, together.
import type { ContainerSummary } from '../client/index.js';
import { serviceOf } from './containers.js';
import { startLayers } from './graph.js';
import type { Service } from './model.js';

export type Order = 'forward' | 'reverse';

export interface OrderOptions {
  /** Runs once per known service before its containers (restart waits on depends_on here). */
  beforeService?: (service: string) => Promise<void>;
}

export async function inDependencyOrder(services: Record<string, Service> | undefined, list: ContainerSummary[], order: Order, fn: (x: ContainerSummary) => Promise<void>, o: OrderOptions = {}): Promise<void> {
  const layers = services ? startLayers(services) : [];
  if (order === 'reverse') layers.reverse();
  const placed = new Set(layers.flat());
  for (const layer of layers) {
    await Promise.all(layer.map(async (svc) => {
      await o.beforeService?.(svc);
      await Promise.all(list.filter((x) => serviceOf(x) === svc).map(fn));
    }));
  }
  await Promise.all(list.filter((x) => !placed.has(serviceOf(x))).map(fn));
}
