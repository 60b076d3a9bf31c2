// docker inspect: containers first, then images, unless --type narrows it.
import { isApiError } from '../../client/errors.js';
import type { CliContext } from '../context.js';
import { FlagError, type CommandSpec, type Parsed } from '../flags.js';
import { inspectAll } from './inspect-core.js';

export const spec: CommandSpec = {
  name: 'inspect', usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]', description: 'Return low-level information on Docker objects', minArgs: 1,
  flags: [
    { long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' },
    { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes if the type is container' },
    { long: 'type', type: 'string', help: 'Only inspect objects of the given type' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const type = p.flags.type as string | undefined;
  if (type && type !== 'container' && type !== 'image') throw new FlagError(`"${type}" is not a valid value for --type`);
  const client = await ctx.client();
  const size = p.flags.size as boolean;
  return inspectAll(ctx, p.args, async (ref) => {
    if (type === 'image') return client.inspectImage(ref);
    try {
      return await client.inspectContainer(ref, { size });
    } catch (e) {
      if (type === 'container' || !(isApiError(e) && e.statusCode === 404)) throw e;
      return client.inspectImage(ref);
    }
  }, {
    format: p.flags.format as string | undefined,
    notFound: (ref, e) => (type ? `Error response from daemon: ${(e as Error).message}` : `Error: No such object: ${ref}`),
  });
}
