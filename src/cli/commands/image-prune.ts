// docker image prune: asks unless -f, prints deleted items and reclaimed space.
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { confirm } from '../prompt.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'image prune', usage: 'image prune [OPTIONS]', description: 'Remove unused images', maxArgs: 0,
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Remove all unused images, not just dangling ones' },
    { long: 'filter', type: 'list', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { long: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const all = p.flags.all as boolean;
  const warning = all
    ? 'WARNING! This will remove all images without at least one container associated to them.'
    : 'WARNING! This will remove all dangling images.';
  if (!p.flags.force && !(await confirm(ctx, warning))) { out(ctx, 'Total reclaimed space: 0B\n'); return 0; }
  const filters = parseFilters(p.flags.filter as string[]);
  filters.dangling = [all ? 'false' : 'true'];
  const r = await (await ctx.client()).pruneImages(filters);
  const items = r.ImagesDeleted ?? [];
  if (items.length) {
    out(ctx, 'Deleted Images:\n');
    for (const i of items) out(ctx, i.Untagged ? `untagged: ${i.Untagged}\n` : `deleted: ${i.Deleted}\n`);
    out(ctx, '\n');
  }
  out(ctx, `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0)}\n`);
  return 0;
}
