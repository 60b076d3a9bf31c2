// docker volume ls: DRIVER and VOLUME NAME columns, -q names only, --format templates.
import type { Volume } from '../../client/types.js';
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';

export const spec: CommandSpec = {
  name: 'volume ls', usage: 'volume ls [OPTIONS]', description: 'List volumes', maxArgs: 0,
  flags: [
    { long: 'filter', short: 'f', type: 'list', help: "Provide filter values (e.g. 'dangling=true')" },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only display volume names' },
  ],
};

const TABLE = 'table {{.Driver}}\t{{.Name}}';
const HEADERS = {
  Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Scope: 'SCOPE', Labels: 'LABELS', Links: 'LINKS',
  Size: 'SIZE', Group: 'GROUP', Availability: 'AVAILABILITY', Status: 'STATUS',
};

/** docker's volume formatter context: what `{{.X}}` and `{{json .}}` see. */
export function volumeContext(v: Volume) {
  const labels = Object.entries(v.Labels ?? {}).map(([k, val]) => `${k}=${val}`).sort().join(',');
  return {
    Availability: 'N/A', Driver: v.Driver, Group: 'N/A', Labels: labels, Links: 'N/A', Mountpoint: v.Mountpoint,
    Name: v.Name, Scope: v.Scope, Size: 'N/A', Status: 'N/A',
    Label: (k: unknown) => (v.Labels ?? {})[String(k)] ?? '',
  };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const r = await (await ctx.client()).listVolumes(parseFilters(p.flags.filter as string[]));
  const list = [...(r.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  for (const w of r.Warnings ?? []) ctx.stderr.write(`${w}\n`);
  if (p.flags.quiet && !p.flags.format) {
    out(ctx, list.map((v) => `${v.Name}\n`).join(''));
    return 0;
  }
  let format = (p.flags.format as string | undefined) || TABLE;
  if (format === 'table') format = TABLE;
  if (format === 'json') format = '{{json .}}';
  out(ctx, render({ format, headers: HEADERS }, list.map(volumeContext)));
  return 0;
}
