// docker top: the daemon's ps table through the tabwriter (docker uses minwidth 20, padding 1).
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { tabulate } from '../tabwriter.js';

export const spec: CommandSpec = { name: 'top', usage: 'top CONTAINER [ps OPTIONS]', description: 'Display the running processes of a container', minArgs: 1, interspersed: false, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [id, ...psArgs] = p.args as [string, ...string[]];
  const r = await (await ctx.client()).topContainer(id, psArgs.length ? psArgs.join(' ') : undefined);
  const lines = [r.Titles, ...r.Processes].map((row) => row.join('\t'));
  out(ctx, `${tabulate(lines.join('\n'), { minWidth: 20, padding: 1 })}\n`);
  return 0;
}
