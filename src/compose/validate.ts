// Checks across services that compose makes before creating anything.
import { InvalidArgument } from '../errdefs/index.js';
import type { Service } from './model.js';

/** Two services (or two ports of one) publishing the same host port, protocol and address. */
export function checkPortConflicts(services: Record<string, Service>): void {
  const seen = new Map<string, string>();
  for (const s of Object.values(services)) {
    const replicas = s.scale ?? s.deploy?.replicas ?? 1;
    for (const p of s.ports ?? []) {
      if (!p.published || p.published.includes('-')) continue;
      const key = `${p.host_ip || '0.0.0.0'}:${p.published}/${p.protocol}`;
      const other = seen.get(key);
      if (other !== undefined) throw new InvalidArgument(`services ${other} and ${s.name} both publish ${key}: port is already allocated`);
      if (replicas > 1) throw new InvalidArgument(`service ${s.name} publishes ${key} but has ${replicas} replicas: only one container can bind a host port`);
      seen.set(key, s.name);
    }
  }
}
