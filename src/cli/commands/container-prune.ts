// docker container prune.
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'container prune', usage: 'container prune [OPTIONS]', description: 'Remove all stopped containers', maxArgs: 0,
  flags: [
    { long: 'filter', type: 'list', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { long: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  if (!p.flags.force && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) { out(ctx, 'Total reclaimed space: 0B\n'); return 0; }
  const r = await (await ctx.client()).pruneContainers(parseFilters(p.flags.filter as string[]));
  const ids = r.ContainersDeleted ?? [];
  if (ids.length) out(ctx, `Deleted Containers:\n${ids.map((i) => `${i}\n`).join('')}\n`);
  out(ctx, `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}
