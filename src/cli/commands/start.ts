// docker start: -a/-i attach before starting and exit with the container's status.
import { describeError, err, ExitError, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { proxySignals } from '../signals.js';
import { pump } from '../stdio.js';
import { forwardResize, rawTerminal } from '../terminal.js';

export const spec: CommandSpec = {
  name: 'start', usage: 'start [OPTIONS] CONTAINER [CONTAINER...]', description: 'Start one or more stopped containers', minArgs: 1,
  flags: [
    { long: 'attach', short: 'a', type: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
    { long: 'interactive', short: 'i', type: 'bool', help: "Attach container's STDIN" },
    { long: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  const attach = p.flags.attach as boolean; const interactive = p.flags.interactive as boolean;
  if (attach || interactive) {
    if (p.args.length > 1) throw new ExitError(1, 'Error: you cannot start and attach multiple containers at once');
    const id = p.args[0] as string;
    const { value: c } = await client.inspectContainer(id);
    const tty = Boolean(c.Config.Tty); const stdin = interactive && Boolean(c.Config.OpenStdin);
    const conn = await client.attachContainer(id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: p.flags['detach-keys'] as string | undefined });
    const wait = await client.waitContainer(id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    const term = tty && stdin ? await rawTerminal() : undefined;
    try {
      await client.startContainer(id);
      const stopResize = tty ? forwardResize(ctx, (s) => client.resizeContainer(id, s)) : () => undefined;
      const stopSignals = !tty ? proxySignals((sig) => client.killContainer(id, sig)) : () => undefined;
      try {
        await pump(conn, { tty, stdin: stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr });
        return (await wait.result).StatusCode;
      } finally { stopResize(); stopSignals(); }
    } finally { term?.restore(); if (stdin) ctx.stdin.pause(); }
  }
  const failed: string[] = [];
  for (const id of p.args) {
    try { await client.startContainer(id); out(ctx, `${id}\n`); } catch (e) { err(ctx, `${describeError(e)}\n`); failed.push(id); }
  }
  if (failed.length) throw new ExitError(1, `Error: failed to start containers: ${failed.join(', ')}`);
  return 0;
}
