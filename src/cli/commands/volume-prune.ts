// docker volume prune: asks unless -f; anonymous volumes only unless -a (API ≥ 1.42).
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'volume prune', usage: 'volume prune [OPTIONS]', description: 'Remove unused local volumes', maxArgs: 0,
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
    { long: 'filter', type: 'list', help: 'Provide filter values (e.g. "label=<label>")' },
    { long: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const all = p.flags.all as boolean;
  const warning = all
    ? 'WARNING! This will remove all local volumes not used by at least one container.'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
  if (!p.flags.force && !(await confirm(ctx, warning))) { out(ctx, 'Total reclaimed space: 0B\n'); return 0; }
  const filters = parseFilters(p.flags.filter as string[]);
  if (all) filters.all = ['true'];
  const r = await (await ctx.client()).pruneVolumes(filters);
  const items = r.VolumesDeleted ?? [];
  if (items.length) out(ctx, `Deleted Volumes:\n${items.map((n) => `${n}\n`).join('')}\n`);
  out(ctx, `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}
