// Global flags, command lookup, and the one place errors become messages and exit codes:
// flag errors 125 (with usage), arity errors 1 (with usage), daemon errors 1, unless the
// command returned its own code (run: the container's).
import { ArityError, FlagError, checkArity, helpText, parseArgs } from './flags.js';
import { describeError, ExitError, type CliContext } from './context.js';
import { management, topLevel, type CommandModule, type Loader } from './registry.js';

const PROG = 'wharf';
import { WHARF_VERSION } from './wharf-version.js';

const GLOBAL_HELP = `
Usage:  ${PROG} [OPTIONS] COMMAND

A Docker-compatible container engine

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  images      List images
  version     Show the Docker version information
  info        Display system-wide information

Management Commands:
  container   Manage containers
  image       Manage images

Global Options:
  -H, --host string   Daemon socket to connect to
  -v, --version       Print version information and quit
`;

function makeContext(): CliContext & { dispose(): Promise<void> } {
  let pending: ReturnType<CliContext['client']> | undefined;
  return {
    prog: PROG, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin,
    client: () => (pending ??= import('../client/connect.js').then((m) => m.connect())),
    // Keep-alive sockets would hold the process open after the command is done.
    dispose: async () => { if (pending) (await pending.catch(() => undefined))?.close(); },
  };
}

export async function dispatch(argv: string[]): Promise<number> {
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-v' || a === '--version') { process.stdout.write(`${PROG} version ${WHARF_VERSION}\n`); return 0; }
    if (a === '-H' || a === '--host') { process.env.DOCKER_HOST = argv[++i]; continue; }
    if (a.startsWith('--host=')) { process.env.DOCKER_HOST = a.slice(7); continue; }
    if (a === '-D' || a === '--debug') continue;
    if (a === '--help' || a === '-h') { process.stdout.write(GLOBAL_HELP); return 0; }
    if (a.startsWith('-')) {
      process.stderr.write(`unknown flag: ${a}\n\nUsage:  ${PROG} [OPTIONS] COMMAND [ARG...]\n\nRun '${PROG} --help' for more information\n`);
      return 125;
    }
    break;
  }
  const name = argv[i];
  if (!name) { process.stdout.write(GLOBAL_HELP); return 0; }
  let loader: Loader | undefined = topLevel[name];
  let rest = argv.slice(i + 1);
  const group = management[name];
  if (group) {
    const sub = rest[0];
    loader = sub ? group[sub] : undefined;
    if (!loader) {
      if (!sub || sub === '--help') { process.stdout.write(`\nUsage:  ${PROG} ${name} COMMAND\n\nCommands:\n${Object.keys(group).map((k) => `  ${k}`).join('\n')}\n`); return 0; }
      process.stderr.write(`${PROG}: unknown command: ${PROG} ${name} ${sub}\n\nRun '${PROG} ${name} --help' for more information\n`);
      return 1;
    }
    rest = rest.slice(1);
  }
  if (!loader) {
    process.stderr.write(`${PROG}: unknown command: ${PROG} ${name}\n\nRun '${PROG} --help' for more information\n`);
    return 1;
  }
  const mod: CommandModule = await loader();
  const ctx = makeContext();
  try {
    return await runCommand(mod, rest, ctx);
  } finally {
    await ctx.dispose();
  }
}

export async function runCommand(mod: CommandModule, argv: string[], ctx: CliContext): Promise<number> {
  const { spec } = mod;
  try {
    const parsed = parseArgs(spec, argv);
    if (parsed.help) { ctx.stdout.write(helpText(spec, ctx.prog)); return 0; }
    checkArity(spec, ctx.prog, parsed.args.length);
    return await mod.main(ctx, parsed);
  } catch (e) {
    if (e instanceof ArityError) {
      ctx.stderr.write(`${e.message}\n\nUsage:  ${ctx.prog} ${spec.usage}\n\n${e.verb} '${ctx.prog} ${spec.name} --help' for more information\n`);
      return 1;
    }
    if (e instanceof FlagError) {
      ctx.stderr.write(`${e.message}\n\nUsage:  ${ctx.prog} ${spec.usage}\n\nRun '${ctx.prog} ${spec.name} --help' for more information\n`);
      return 125;
    }
    if (e instanceof ExitError) {
      if (e.message) ctx.stderr.write(`${e.message}\n`);
      return e.code;
    }
    ctx.stderr.write(`${describeError(e)}\n`);
    return 1;
  }
}
