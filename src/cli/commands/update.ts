// docker update: new limits / restart policy for one or more containers (POST /containers/{id}/update).
import { parseRestartPolicy } from '../container-options.js';
import { err, ExitError, forEachName, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { resourceHostConfig, updatableResourceFlags } from '../resource-options.js';

export const spec: CommandSpec = {
  name: 'update', usage: 'update [OPTIONS] CONTAINER [CONTAINER...]', description: 'Update configuration of one or more containers', minArgs: 1,
  flags: [...updatableResourceFlags, { long: 'restart', type: 'string', help: 'Restart policy to apply when a container exits' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  if (p.set.size === 0) throw new ExitError(1, 'you must provide one or more flags when using this command');
  const body: Record<string, unknown> = resourceHostConfig(p, { update: true });
  if (p.set.has('restart')) body.RestartPolicy = parseRestartPolicy(p.flags.restart as string);
  const client = await ctx.client();
  return forEachName(ctx, p.args, async (id) => {
    const r = await client.json<{ Warnings?: string[] | null }>({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/update`, body });
    for (const w of r?.Warnings ?? []) err(ctx, `${w}\n`);
  });
}
