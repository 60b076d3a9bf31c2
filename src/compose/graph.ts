// Service dependencies: checks (unknown services, cycles) and the orders up and down use.
import { InvalidArgument } from '../errdefs/index.js';
import type { Service } from './model.js';

/** Every service another depends on, plus `network_mode: service:x` and `volumes_from`. */
export function dependencies(s: Service): string[] {
  const deps = new Set(Object.keys(s.depends_on ?? {}));
  if (s.network_mode?.startsWith('service:')) deps.add(s.network_mode.slice(8));
  for (const v of (s.volumes_from as string[] | undefined) ?? []) if (!v.startsWith('container:')) deps.add(v.split(':')[0] as string);
  return [...deps];
}

/** Throws on a dependency on an unknown service or a cycle. */
export function checkGraph(services: Record<string, Service>, disabled: Record<string, Service> = {}): void {
  for (const s of Object.values(services)) {
    for (const d of dependencies(s)) {
      if (services[d]) continue;
      if (s.depends_on?.[d]?.required === false) continue;
      if (disabled[d]) throw new InvalidArgument(`service "${s.name}" depends on undefined service "${d}": invalid compose project (it is in an inactive profile)`);
      throw new InvalidArgument(`service "${s.name}" depends on undefined service "${d}": invalid compose project`);
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done' || !services[name]) return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw new InvalidArgument(`dependency cycle detected: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const d of dependencies(services[name] as Service)) visit(d, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services).sort()) visit(name, []);
}

/** Layers: each service comes after everything it depends on; names sorted within a layer. */
export function startLayers(services: Record<string, Service>): string[][] {
  const layers: string[][] = [];
  const placed = new Set<string>();
  let rest = Object.keys(services).sort();
  while (rest.length) {
    const ready = rest.filter((n) => dependencies(services[n] as Service).every((d) => placed.has(d) || !services[d]));
    if (!ready.length) throw new InvalidArgument(`dependency cycle detected among ${rest.join(', ')}`);
    layers.push(ready);
    for (const n of ready) placed.add(n);
    rest = rest.filter((n) => !placed.has(n));
  }
  return layers;
}

/** `names` and everything they depend on, transitively. */
export function withDependencies(services: Record<string, Service>, names: string[]): string[] {
  const out = new Set<string>();
  const add = (n: string): void => {
    if (out.has(n) || !services[n]) return;
    out.add(n);
    for (const d of dependencies(services[n] as Service)) add(d);
  };
  names.forEach(add);
  return [...out];
}
