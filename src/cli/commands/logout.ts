// docker logout [SERVER]: forgets the credentials config.json (or its helper) keeps.
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { eraseCredentials, serverKey } from '../docker-config.js';

export const spec: CommandSpec = { name: 'logout', usage: 'logout [SERVER]', description: 'Log out from a registry', maxArgs: 1, flags: [] };

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const key = serverKey(p.args[0] ?? '');
  const had = await eraseCredentials(key);
  if (!had) {
    ctx.stdout.write(`Not logged in to ${key}\n`);
    return 0;
  }
  ctx.stdout.write(`Removing login credentials for ${key}\n`);
  return 0;
}
