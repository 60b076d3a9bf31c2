// docker network rm: prints each removed name; -f ignores networks that do not exist.
import { isApiError } from '../../client/errors.js';
import { describeError, err, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { removeNetwork } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network rm', usage: 'network rm NETWORK [NETWORK...]', description: 'Remove one or more networks', minArgs: 1,
  flags: [{ long: 'force', short: 'f', type: 'bool', help: 'Do not error if the network does not exist' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  let status = 0;
  for (const name of p.args) {
    try {
      await removeNetwork(client, name);
      out(ctx, `${name}\n`);
    } catch (e) {
      if (p.flags.force && isApiError(e) && e.statusCode === 404) continue;
      err(ctx, `${describeError(e)}\n`);
      status = 1;
    }
  }
  // docker ends with a StatusError, which it prints as its Status.
  if (status) err(ctx, `exit status ${status}\n`);
  return status;
}
