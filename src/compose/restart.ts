// `compose restart`, as Compose v2's restart.go: the named services (all when none is named)
// plus, unless --no-deps, the services that depend on them with `depends_on.<x>.restart: true`,
// transitively; in dependency order, each service first waiting for the conditions of those
// restart dependencies. Stopped containers are started too (POST /restart does that).
import type { EngineClient } from '../client/index.js';
import { projectContainers, serviceOf, name as containerNameOf } from './containers.js';
import { waitForDependencies } from './dependencies.js';
import type { Project, Service } from './model.js';
import { inDependencyOrder } from './order.js';
import type { Progress } from './progress.js';
import { scaleOf } from './up.js';

export interface RestartOptions {
  /** Services named on the command line; empty: all. */
  services: string[];
  /** `--no-deps`: only the named services, not the ones that depend on them. */
  noDeps?: boolean;
  /** Stop timeout in seconds (`-t`). */
  timeout?: number;
}

/** The services restart acts on, their depends_on cut down to the `restart: true` ones. */
export function restartSet(services: Record<string, Service>, o: Pick<RestartOptions, 'services' | 'noDeps'>): Record<string, Service> {
  const trimmed = Object.fromEntries(Object.entries(services).map(([n, s]) => [n, {
    ...s, depends_on: Object.fromEntries(Object.entries(s.depends_on ?? {}).filter(([, d]) => d.restart)),
  }]));
  if (!o.services.length) return trimmed;
  const names = new Set(o.services.filter((n) => trimmed[n]));
  if (!o.noDeps) {
    for (let grew = true; grew;) {
      grew = false;
      for (const [n, s] of Object.entries(trimmed)) {
        if (names.has(n) || !Object.keys(s.depends_on ?? {}).some((d) => names.has(d))) continue;
        names.add(n);
        grew = true;
      }
    }
  }
  return Object.fromEntries([...names].sort().map((n) => [n, trimmed[n]!]));
}

export async function restart(c: EngineClient, project: string, model: Project | undefined, o: RestartOptions, progress: Progress): Promise<void> {
  const all = await projectContainers(c, project, { all: true });
  const set = model ? restartSet(model.services, o) : undefined;
  const list = all.filter((x) => (set ? Boolean(set[serviceOf(x)]) : !o.services.length || o.services.includes(serviceOf(x))));
  const wait = { used: set ?? {}, scaleOf: (s: Service) => scaleOf(s, {}) };
  await inDependencyOrder(set, list, 'forward', async (x) => {
    progress.event('Container', containerNameOf(x), 'Restarting');
    await c.restartContainer(x.Id, { timeout: o.timeout });
    progress.event('Container', containerNameOf(x), 'Started');
  }, { beforeService: async (svc) => { if (model && set?.[svc]) await waitForDependencies(c, { ...model, services: set }, set[svc]!, progress, wait); } });
}
