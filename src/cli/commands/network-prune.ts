// docker network prune: asks unless -f, then lists the removed networks' names.
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { confirm } from '../prompt.js';
import { pruneNetworks } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network prune', usage: 'network prune [OPTIONS]', description: 'Remove all unused networks', maxArgs: 0,
  flags: [
    { long: 'filter', type: 'list', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { long: 'force', short: 'f', type: 'bool', help: 'Do not prompt for confirmation' },
  ],
};

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.';

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const filters = parseFilters(p.flags.filter as string[]);
  // Declined: docker's cancelled error ends the command quietly, with status 0.
  if (!p.flags.force && !(await confirm(ctx, WARNING))) return 0;
  const r = await pruneNetworks(await ctx.client(), filters);
  const names = r.NetworksDeleted ?? [];
  // docker prints the block with Println, hence the blank line after it.
  if (names.length) out(ctx, `Deleted Networks:\n${names.map((n) => `${n}\n`).join('')}\n`);
  return 0;
}
