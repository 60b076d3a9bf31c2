// wharf compose down: stop and remove the project's containers and networks (-v volumes, --rmi images).
import { down } from '../../compose/index.js';
import type { CliContext } from '../context.js';
import { FlagError, type CommandSpec, type Parsed } from '../flags.js';
import { progress, projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose down', usage: 'compose down [OPTIONS] [SERVICES]', description: 'Stop and remove containers, networks',
  flags: [
    { long: 'volumes', short: 'v', type: 'bool', help: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers' },
    { long: 'remove-orphans', type: 'bool', help: 'Remove containers for services not defined in the Compose file' },
    { long: 'rmi', type: 'string', help: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    { long: 'timeout', short: 't', type: 'int', help: 'Specify a shutdown timeout in seconds' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const rmi = p.flags.rmi as string | undefined;
  if (rmi !== undefined && rmi !== 'local' && rmi !== 'all') throw new FlagError(`invalid --rmi option "${rmi}"`);
  const { name, model } = projectOnly(ctx);
  await down(await ctx.client(), name, {
    model, volumes: p.flags.volumes as boolean, removeOrphans: p.flags['remove-orphans'] as boolean,
    rmi: rmi as 'local' | 'all' | undefined, timeout: p.flags.timeout as number | undefined,
  }, progress(ctx));
  return 0;
}
