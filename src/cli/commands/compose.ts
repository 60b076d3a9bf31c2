// wharf compose [OPTIONS] COMMAND: the project flags (-f, -p, --project-directory,
// --env-file, --profile), then one of the compose commands (compose-*.ts), each parsed by
// its own spec. Also reached as `docker-compose`/`wharf-compose` (see main.ts).
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import type { CommandModule } from '../registry.js';
import { runCommand } from '../dispatch.js';
import type { ComposeGlobals } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose', usage: 'compose [OPTIONS] COMMAND', description: 'Define and run multi-container applications with Docker', interspersed: false,
  flags: [
    { long: 'file', short: 'f', type: 'list', help: 'Compose configuration files' },
    { long: 'project-name', short: 'p', type: 'string', help: 'Project name' },
    { long: 'project-directory', type: 'string', help: 'Specify an alternate working directory (default: the path of the, first specified, Compose file)' },
    { long: 'env-file', type: 'list', help: 'Specify an alternate environment file' },
    { long: 'profile', type: 'list', help: 'Specify a profile to enable' },
    { long: 'ansi', type: 'string', help: 'Control when to print ANSI control characters ("never"|"always"|"auto")', default: 'auto' },
    { long: 'progress', type: 'string', hidden: true },
    { long: 'parallel', type: 'int', hidden: true },
    { long: 'compatibility', type: 'bool', hidden: true },
  ],
};

type Loader = () => Promise<CommandModule | Record<string, CommandModule>>;
const lifecycle = (name: string): Loader => async () => (await import('./compose-lifecycle.js')).commands[name] as CommandModule;
const COMMANDS: Record<string, Loader> = {
  config: () => import('./compose-config.js'),
  convert: () => import('./compose-config.js'),
  up: () => import('./compose-up.js'),
  create: async () => (await import('./compose-up.js')).create,
  down: () => import('./compose-down.js'),
  ps: () => import('./compose-ps.js'),
  logs: () => import('./compose-logs.js'),
  build: () => import('./compose-build.js'),
  start: lifecycle('start'), stop: lifecycle('stop'), restart: lifecycle('restart'), kill: lifecycle('kill'),
  rm: lifecycle('rm'), pause: lifecycle('pause'), unpause: lifecycle('unpause'),
  version: lifecycle('version'), ls: lifecycle('ls'),
  exec: () => import('./compose-exec.js'),
  run: () => import('./compose-run.js'),
  port: () => import('./compose-port.js'),
  top: () => import('./compose-top.js'),
  images: () => import('./compose-images.js'),
  cp: () => import('./compose-cp.js'),
  pull: () => import('./compose-pull.js'),
  push: () => import('./compose-push.js'),
};

const HELP = `
Usage:  wharf compose [OPTIONS] COMMAND

Define and run multi-container applications with Docker

Commands:
${Object.keys(COMMANDS).map((c) => `  ${c}`).join('\n')}
`;

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [sub, ...rest] = p.args;
  if (!sub) { ctx.stdout.write(HELP); return 0; }
  const load = COMMANDS[sub];
  if (!load) {
    ctx.stderr.write(`unknown docker command: "compose ${sub}"\n`);
    return 1;
  }
  const mod = (await load()) as CommandModule;
  const globals: ComposeGlobals = {
    files: p.flags.file as string[], projectName: p.flags['project-name'] as string | undefined,
    projectDirectory: p.flags['project-directory'] as string | undefined, envFiles: p.flags['env-file'] as string[],
    profiles: p.flags.profile as string[], ansi: p.flags.ansi as string,
  };
  return runCommand(mod, rest, Object.assign(Object.create(ctx) as CliContext, { compose: globals }));
}
