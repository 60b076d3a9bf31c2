// wharf compose exec SERVICE COMMAND: `docker exec` on one of the service's running
// containers (`--index`, default the first). A TTY unless -T or stdin is not a terminal;
// stdin attached (compose v2's hidden -i defaults to true).
import { serviceContainer } from '../../compose/index.js';
import type { CliContext } from '../context.js';
import { resolveEnv } from '../container-options.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { execInContainer } from './exec.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose exec', usage: 'compose exec [OPTIONS] SERVICE COMMAND [ARGS...]', description: 'Execute a command in a running container', minArgs: 2, interspersed: false,
  flags: [
    { long: 'detach', short: 'd', type: 'bool', help: 'Detached mode: Run command in the background' },
    { long: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { long: 'index', type: 'int', help: 'Index of the container if service has multiple replicas' },
    { long: 'no-TTY', short: 'T', type: 'bool', help: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    { long: 'privileged', type: 'bool', help: 'Give extended privileges to the process' },
    { long: 'user', short: 'u', type: 'string', help: 'Run the command as this user' },
    { long: 'workdir', short: 'w', type: 'string', help: 'Path to workdir directory for this command' },
    { long: 'interactive', short: 'i', type: 'bool', default: true, hidden: true },
    { long: 'tty', short: 't', type: 'bool', default: true, hidden: true },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [service, ...cmd] = p.args as [string, ...string[]];
  const { name: project } = projectOnly(ctx);
  const c = await ctx.client();
  const x = await serviceContainer(c, project, service, { index: p.flags.index as number | undefined });
  const stdinTty = Boolean((ctx.stdin as { isTTY?: boolean }).isTTY);
  const detach = p.flags.detach as boolean;
  const tty = !p.flags['no-TTY'] && (p.flags.tty as boolean) && stdinTty && !detach;
  return execInContainer(ctx, c, {
    container: x.Id, cmd, detach, tty, interactive: (p.flags.interactive as boolean) && !detach,
    env: resolveEnv(p.flags.env as string[]), user: p.flags.user as string | undefined, workdir: p.flags.workdir as string | undefined,
    privileged: p.flags.privileged as boolean,
  });
}
