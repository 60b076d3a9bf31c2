// The container-creating half shared by create and run: create; on "no such image" say
// what docker says, pull it (docker's default --pull=missing), and create again.
import type { EngineClient } from '../client/client.js';
import { isApiError } from '../client/errors.js';
import type { CliContext } from './context.js';
import { toCreateBody, type CreateOptions } from './container-options.js';
import { registryAuthFor } from './docker-config.js';
import { printProgress } from './progress.js';
import { parseNormalizedNamed } from '../reference/reference.js';
import { fullName, splitRepoTag, withDefaultTag } from './reference.js';

/** The image was missing and pulling it failed: `cause` is the daemon's pull error. */
export class PullFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'PullFailed';
  }
}

export async function createContainer(ctx: CliContext, client: EngineClient, o: CreateOptions): Promise<string> {
  const create = async (): Promise<string> => {
    const r = await client.createContainer(toCreateBody(o), { name: o.name, platform: o.platform });
    for (const w of r.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    return r.Id;
  };
  try {
    return await create();
  } catch (e) {
    if (!(isApiError(e) && e.statusCode === 404 && /image/i.test(e.message))) throw e;
    ctx.stderr.write(`Unable to find image '${withDefaultTag(o.image)}' locally\n`);
  }
  try {
    const { repo, tag } = splitRepoTag(o.image);
    const digest = o.image.includes('@') ? o.image.slice(o.image.indexOf('@') + 1) : undefined;
    // The stored credentials for the image's registry, as docker's CLI sends them.
    const registryAuth = await registryAuthFor(parseNormalizedNamed(o.image).domain);
    await printProgress(await client.pullImage(fullName(repo), { tag: digest ?? tag ?? 'latest', platform: o.platform, registryAuth }), ctx.stderr);
  } catch (e) {
    throw new PullFailed(e);
  }
  return create();
}

/** docker run's exit status for a failed start: 127 command not found, 126 not executable, else 125. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|not found/i.test(message)) return 127;
  if (/permission denied|cannot execute|is a directory/i.test(message)) return 126;
  return 125;
}
