// docker diff CONTAINER: one "C /etc" line per change, in the daemon's order.
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'diff', usage: 'diff CONTAINER', description: "Inspect changes to files or directories on a container's filesystem", minArgs: 1, maxArgs: 1, flags: [],
};

const KIND = ['C', 'A', 'D'] as const;

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const changes = (await (await ctx.client()).containerChanges(p.args[0] as string)) ?? [];
  out(ctx, changes.map((c) => `${KIND[c.Kind]} ${c.Path}\n`).join(''));
  return 0;
}
