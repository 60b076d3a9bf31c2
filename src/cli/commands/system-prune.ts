// docker system prune: stopped containers, then unused images (dangling only unless -a),
// each section printed as its own prune command prints it, then the total.
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'system prune', usage: 'system prune [OPTIONS]', description: 'Remove unused data', maxArgs: 0,
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused images not just dangling ones' },
    { long: 'filter', type: 'list', help: 'Provide filter values (e.g. "label=<key>=<value>")' },
    { long: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
    { long: 'volumes', type: 'bool', help: 'Prune anonymous volumes' },
  ],
};

function warning(all: boolean, volumes: boolean): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    '  - all networks not used by at least one container',
    ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
    all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    all ? '  - all build cache' : '  - unused build cache',
    '',
  ].join('\n');
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const all = p.flags.all as boolean;
  if (!p.flags.force && !(await confirm(ctx, warning(all, p.flags.volumes as boolean)))) return 0;
  const client = await ctx.client();
  const filters = parseFilters(p.flags.filter as string[]);
  let space = 0;
  const c = await client.pruneContainers(filters);
  space += c.SpaceReclaimed ?? 0;
  if (c.ContainersDeleted?.length) out(ctx, `Deleted Containers:\n${c.ContainersDeleted.map((i) => `${i}\n`).join('')}\n`);
  const i = await client.pruneImages({ ...filters, dangling: [all ? 'false' : 'true'] });
  space += i.SpaceReclaimed ?? 0;
  if (i.ImagesDeleted?.length) out(ctx, `Deleted Images:\n${i.ImagesDeleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`)).join('')}\n`);
  out(ctx, `Total reclaimed space: ${humanSize(space)}\n`);
  return 0;
}
