// docker's ContainerContext: the fields `ps --format` sees, and the default table.
import type { ContainerSummary, Port } from '../client/types.js';
import { GO_MARSHAL } from './template.js';
import { ellipsis, goTime, humanSize, shortId, timeAgo } from './units.js';

export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS',
  Mounts: 'MOUNTS', Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES', Platform: 'PLATFORM',
};

export const PS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export function displayPorts(ports: Port[] | null | undefined): string {
  const parts = (ports ?? []).map((p) => {
    if (p.PublicPort) {
      const ip = p.IP && p.IP.includes(':') ? `[${p.IP}]` : p.IP ?? '';
      return `${ip}${ip ? ':' : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}`;
    }
    return `${p.PrivatePort}/${p.Type}`;
  });
  return [...new Set(parts)].sort().join(', ');
}

function imageColumn(c: ContainerSummary, trunc: boolean): string {
  if (!trunc) return c.Image;
  if (shortId(c.ImageID) === shortId(c.Image)) return shortId(c.Image);
  return c.Image.replace(/@sha256:[0-9a-f]+$/, '');
}

/** The object a ps template runs against: sorted string fields (so `{{json .}}` matches docker), plus `.Label`. */
export function containerContext(c: ContainerSummary, o: { trunc: boolean; now?: number }): Record<string, unknown> {
  const labels = c.Labels ?? {};
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, '')).filter((n) => !o.trunc || !n.includes('/'));
  const ctx: Record<string, unknown> = {
    Command: JSON.stringify(o.trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTime(c.Created),
    ID: o.trunc ? shortId(c.Id) : c.Id,
    Image: imageColumn(c, o.trunc),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Mounts: (c.Mounts ?? []).map((m) => (m.Name && o.trunc ? ellipsis(m.Name, 15) : m.Name ?? m.Source)).join(','),
    Names: names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayPorts(c.Ports),
    RunningFor: timeAgo(c.Created, o.now),
    Size: c.SizeRw === undefined && c.SizeRootFs === undefined ? '0B'
      : `${humanSize(c.SizeRw ?? 0, 3)} (virtual ${humanSize(c.SizeRootFs ?? 0, 3)})`,
    State: c.State,
    Status: c.Status,
  };
  Object.defineProperty(ctx, 'Label', { value: (k: unknown) => labels[String(k)] ?? '', enumerable: false });
  Object.defineProperty(ctx, GO_MARSHAL, { value: true, enumerable: false });
  return ctx;
}
