// Anonymous volumes survive a recreate (compose v2's buildContainerMountOptions with
// `inherit`): the replaced container's volume at a path the image declares as VOLUME, or
// at a service volume without a source, is mounted again in the new container, so its
// data stays. `up -V` (--renew-anon-volumes) skips this and the new container gets fresh
// volumes. tmpfs mounts are never inherited.
import type { MountPoint } from '../client/index.js';
import type { Service } from './model.js';

export interface InheritedMount { Type: string; Source: string; Target: string; ReadOnly: boolean }

const clean = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export function inheritedMounts(s: Service, old: MountPoint[], imageVolumes: string[]): InheritedMount[] {
  const image = new Set(imageVolumes.map(clean));
  const anonymous = new Set((s.volumes ?? []).filter((v) => v.type === 'volume' && !v.source).map((v) => clean(v.target)));
  const out: InheritedMount[] = [];
  for (const m of old) {
    if (m.Type === 'tmpfs') continue;
    const target = clean(m.Destination);
    if (!image.has(target) && !anonymous.has(target)) continue;
    out.push({ Type: m.Type ?? 'volume', Source: m.Type === 'volume' ? (m.Name ?? m.Source) : m.Source, Target: target, ReadOnly: m.RW === false });
  }
  return out;
}
