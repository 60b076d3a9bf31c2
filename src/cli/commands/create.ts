// docker create: prints the new container's full ID.
import { createFlags, createOptionsFrom } from '../container-options.js';
import { ExitError, out, describeError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { createContainer, PullFailed } from '../run-core.js';

export const spec: CommandSpec = {
  name: 'create', usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create a new container', minArgs: 1, interspersed: false, flags: createFlags,
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  // Not detached: docker create records the attach flags (stdout/stderr, and stdin with its
  // StdinOnce for -i) that a later `start -a -i` relies on to end at the client's EOF.
  const o = createOptionsFrom(p, { detach: false });
  try {
    const client = await ctx.client();
    out(ctx, `${await createContainer(ctx, client, o)}\n`);
    return 0;
  } catch (e) {
    // docker create reports daemon errors (a failed pull too) plainly, with status 1; only
    // flag errors get 125 and the usage hint (run says every error that way).
    throw new ExitError(1, describeError(e instanceof PullFailed ? e.cause : e));
  }
}
