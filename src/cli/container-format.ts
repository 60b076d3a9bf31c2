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

/** Go's net.JoinHostPort. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * docker's DisplayablePorts: sorted by private port, IP, public port, type; runs of
 * consecutive ports published on the same port number collapse into ranges
 * (`0.0.0.0:8000-8002->8000-8002/tcp`, `80-81/tcp`); other mappings are listed after.
 */
export function displayPorts(ports: Port[] | null | undefined): string {
  const sorted = [...(ports ?? [])].sort((a, b) => a.PrivatePort - b.PrivatePort || cmp(a.IP ?? '', b.IP ?? '') || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || cmp(a.Type, b.Type));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, g: { first: number; last: number }): string => {
    const slash = key.lastIndexOf('/');
    const ip = slash < 0 ? '' : key.slice(0, slash);
    const type = slash < 0 ? key : key.slice(slash + 1);
    let group = g.first === g.last ? String(g.first) : `${g.first}-${g.last}`;
    if (ip) group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, String(p.PublicPort ?? 0))}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) { groups.set(key, { first: p.PrivatePort, last: p.PrivatePort }); continue; }
    if (p.PrivatePort === g.last + 1) { g.last = p.PrivatePort; continue; }
    result.push(formGroup(key, g));
    // Re-inserting keeps docker's order: its map keeps the key's first position.
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g));
  return [...result, ...hostMappings].join(', ');
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

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
