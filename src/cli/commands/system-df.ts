// docker system df [-v]: the daemon's GET /system/df, summarised as docker's CLI does
// (cli/command/formatter/disk_usage.go): images reclaimable = LayersSize minus what images
// with containers use; containers reclaimable = the writable layers of stopped ones.
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';
import { humanSize, shortId, timeAgo } from '../units.js';

export const spec: CommandSpec = {
  name: 'system df', usage: 'system df [OPTIONS]', description: 'Show docker disk usage', maxArgs: 0,
  flags: [
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'verbose', short: 'v', type: 'bool', help: 'Show detailed information on space usage' },
  ],
};

interface DfImage { Id: string; RepoTags: string[]; Created: number; Size: number; SharedSize: number; Containers: number }
interface DfContainer { Id: string; Image: string; Command: string; Names: string[]; Created: number; State: string; Status: string; SizeRw?: number; Mounts?: unknown[] }
interface DfVolume { Name: string; UsageData?: { Size: number; RefCount: number } | null }
interface Df { LayersSize?: number; Images?: DfImage[]; Containers?: DfContainer[]; Volumes?: DfVolume[]; BuildCache?: unknown[] }

const ACTIVE = new Set(['running', 'paused', 'restarting']);

function withPercent(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.floor((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

export function summaryRows(df: Df) {
  const images = df.Images ?? [];
  const containers = df.Containers ?? [];
  const layers = df.LayersSize ?? 0;
  const used = images.filter((i) => i.Containers > 0 && i.SharedSize !== -1).reduce((a, i) => a + i.Size - i.SharedSize, 0);
  const rw = containers.reduce((a, c) => a + (c.SizeRw ?? 0), 0);
  const volumes = df.Volumes ?? [];
  const volSize = volumes.reduce((a, v) => a + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const volReclaimable = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((a, v) => a + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const rwReclaimable = containers.filter((c) => !ACTIVE.has(c.State)).reduce((a, c) => a + (c.SizeRw ?? 0), 0);
  return [
    { Type: 'Images', TotalCount: String(images.length), Active: String(images.filter((i) => i.Containers > 0).length), Size: humanSize(layers), Reclaimable: withPercent(layers - used, layers) },
    { Type: 'Containers', TotalCount: String(containers.length), Active: String(containers.filter((c) => ACTIVE.has(c.State)).length), Size: humanSize(rw), Reclaimable: withPercent(rwReclaimable, rw) },
    { Type: 'Local Volumes', TotalCount: String(volumes.length), Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), Size: humanSize(volSize), Reclaimable: withPercent(volReclaimable, volSize) },
    { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
  ];
}

const HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

function verbose(df: Df): string {
  const imageRows = (df.Images ?? []).flatMap((i) => {
    const tags = i.RepoTags?.length ? i.RepoTags : ['<none>:<none>'];
    return tags.map((t) => {
      const colon = t.lastIndexOf(':');
      return {
        Repository: t.slice(0, colon), Tag: t.slice(colon + 1), ID: shortId(i.Id), CreatedSince: timeAgo(i.Created),
        Size: humanSize(i.Size), SharedSize: humanSize(i.SharedSize), UniqueSize: humanSize(i.Size - i.SharedSize), Containers: String(i.Containers),
      };
    });
  });
  const containerRows = (df.Containers ?? []).map((c) => {
    const cmd = c.Command.length > 20 ? `${c.Command.slice(0, 19)}…` : c.Command;
    return {
      ID: shortId(c.Id), Image: c.Image, Command: JSON.stringify(cmd), LocalVolumes: String(c.Mounts?.length ?? 0),
      Size: humanSize(c.SizeRw ?? 0), CreatedSince: timeAgo(c.Created), Status: c.Status, Names: (c.Names[0] ?? '').replace(/^\//, ''),
    };
  });
  let s = 'Images space usage:\n\n';
  s += render({ format: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}', headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', Containers: 'CONTAINERS' } }, imageRows);
  s += '\nContainers space usage:\n\n';
  s += render({ format: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.CreatedSince}}\t{{.Status}}\t{{.Names}}', headers: { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', LocalVolumes: 'LOCAL VOLUMES', Size: 'SIZE', CreatedSince: 'CREATED', Status: 'STATUS', Names: 'NAMES' } }, containerRows);
  s += '\nLocal Volumes space usage:\n\n';
  s += render({ format: 'table {{.Name}}\t{{.Links}}\t{{.Size}}', headers: { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' } }, (df.Volumes ?? []).map((v) => ({ Name: v.Name, Links: String(v.UsageData?.RefCount ?? 0), Size: humanSize(v.UsageData?.Size ?? 0) })));
  s += '\nBuild cache usage: 0B\n\n';
  s += render({ format: 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}', headers: { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' } }, []);
  return s;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const df = await (await ctx.client()).json<Df>({ path: '/system/df' });
  if (p.flags.verbose) { out(ctx, verbose(df)); return 0; }
  let format = (p.flags.format as string | undefined) || 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
  if (format === 'json') format = '{{json .}}';
  out(ctx, render({ format, headers: HEADERS }, summaryRows(df)));
  return 0;
}
