// docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]: prints the new image's ID.
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { splitRepoTag } from '../reference.js';

export const spec: CommandSpec = {
  name: 'commit', usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]', description: "Create a new image from a container's changes", minArgs: 1, maxArgs: 2,
  flags: [
    { long: 'author', short: 'a', type: 'string', help: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { long: 'change', short: 'c', type: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { long: 'message', short: 'm', type: 'string', help: 'Commit message' },
    { long: 'pause', short: 'p', type: 'bool', default: true, help: 'Pause container during commit' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [container, ref] = p.args as [string, string | undefined];
  const { repo, tag } = ref ? splitRepoTag(ref) : { repo: undefined, tag: undefined };
  const res = await (await ctx.client()).commitContainer({
    container, repo, tag,
    comment: p.flags.message as string | undefined,
    author: p.flags.author as string | undefined,
    pause: p.flags.pause as boolean,
    changes: p.flags.change as string[],
  });
  out(ctx, `${res.Id}\n`);
  return 0;
}
