// docker exec: create the exec, then start it detached (-d) or hijacked; exit with its code.
import type { EngineClient } from '../../client/client.js';
import { type CliContext } from '../context.js';
import { resolveEnv } from '../container-options.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { pump } from '../stdio.js';
import { consoleSize, forwardResize, rawTerminal } from '../terminal.js';

export const spec: CommandSpec = {
  name: 'exec', usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]', description: 'Execute a command in a running container', minArgs: 2, interspersed: false,
  flags: [
    { long: 'detach', short: 'd', type: 'bool', help: 'Detached mode: run command in the background' },
    { long: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { long: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { long: 'interactive', short: 'i', type: 'bool', help: 'Keep STDIN open even if not attached' },
    { long: 'privileged', type: 'bool', help: 'Give extended privileges to the command' },
    { long: 'tty', short: 't', type: 'bool', help: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', type: 'string', help: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { long: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
  ],
};

export interface ExecOptions {
  container: string; cmd: string[]; detach: boolean; interactive: boolean; tty: boolean;
  env: string[]; user?: string; workdir?: string; privileged: boolean; detachKeys?: string;
}

export async function execInContainer(ctx: CliContext, client: EngineClient, o: ExecOptions): Promise<number> {
  const { Id } = await client.createExec(o.container, {
    AttachStdin: o.interactive && !o.detach, AttachStdout: !o.detach, AttachStderr: !o.detach,
    Tty: o.tty, Env: o.env, Cmd: o.cmd, User: o.user, WorkingDir: o.workdir, Privileged: o.privileged,
    DetachKeys: o.detachKeys, ConsoleSize: o.tty ? consoleSize() : undefined,
  });
  if (o.detach) { await client.startExecDetached(Id); return 0; }
  const conn = await client.startExecAttached(Id, { tty: o.tty });
  const term = o.tty && o.interactive ? await rawTerminal() : undefined;
  const stopResize = o.tty ? forwardResize(ctx, (s) => client.resizeExec(Id, s)) : () => undefined;
  try {
    await pump(conn, { tty: o.tty, stdin: o.interactive ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr });
  } finally { stopResize(); term?.restore(); if (o.interactive) ctx.stdin.pause(); }
  const r = await client.inspectExec(Id);
  return r.ExitCode ?? 0;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [container, ...cmd] = p.args as [string, ...string[]];
  return execInContainer(ctx, await ctx.client(), {
    container, cmd, detach: p.flags.detach as boolean, interactive: p.flags.interactive as boolean, tty: p.flags.tty as boolean,
    env: resolveEnv(p.flags.env as string[]), user: p.flags.user as string | undefined, workdir: p.flags.workdir as string | undefined,
    privileged: p.flags.privileged as boolean, detachKeys: p.flags['detach-keys'] as string | undefined,
  });
}
