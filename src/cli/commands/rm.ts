// docker rm
import { forEachName, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'rm', usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]', description: 'Remove one or more containers', minArgs: 1,
  flags: [{ long: 'force', short: 'f', type: 'bool', help: 'Force the removal of a running container (uses SIGKILL)' }, { long: 'link', short: 'l', type: 'bool', help: 'Remove the specified link' }, { long: 'volumes', short: 'v', type: 'bool', help: 'Remove anonymous volumes associated with the container' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  void out;
  return forEachName(ctx, p.args, (id) => client.removeContainer(id, { force: p.flags.force as boolean, volumes: p.flags.volumes as boolean, link: p.flags.link as boolean }));
}
