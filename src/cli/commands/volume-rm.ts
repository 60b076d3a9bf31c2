// docker volume rm [-f] VOLUME...: prints each removed name; in-use volumes are refused.
import { forEachName, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'volume rm', usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]', description: 'Remove one or more volumes', minArgs: 1,
  flags: [{ long: 'force', short: 'f', type: 'bool', help: 'Force the removal of one or more volumes' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  return forEachName(ctx, p.args, (name) => client.removeVolume(name, { force: p.flags.force as boolean }));
}
