// The container-creating half shared by create and run: create, and on "no such image"
// say what docker says before failing (pulling is not wired into the CLI yet).
import type { EngineClient } from '../client/client.js';
import { isApiError } from '../client/errors.js';
import type { CliContext } from './context.js';
import { toCreateBody, withPorts, type CreateOptions } from './container-options.js';
import { withDefaultTag } from './reference.js';

export async function createContainer(ctx: CliContext, client: EngineClient, o: CreateOptions, publish: string[]): Promise<string> {
  try {
    const r = await client.createContainer(withPorts(toCreateBody(o), publish), { name: o.name, platform: o.platform });
    for (const w of r.Warnings ?? []) ctx.stderr.write(`WARNING: ${w}\n`);
    return r.Id;
  } catch (e) {
    if (isApiError(e) && e.statusCode === 404 && /image/i.test(e.message)) ctx.stderr.write(`Unable to find image '${withDefaultTag(o.image)}' locally\n`);
    throw e;
  }
}

/** docker run's exit status for a failed start: 127 command not found, 126 not executable, else 125. */
export function startFailureCode(message: string): number {
  if (/executable file not found|no such file or directory|not found/i.test(message)) return 127;
  if (/permission denied|cannot execute|is a directory/i.test(message)) return 126;
  return 125;
}
