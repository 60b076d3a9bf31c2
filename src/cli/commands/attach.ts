// docker attach: to a running container; exits with its status when it stops.
import { ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { proxySignals } from '../signals.js';
import { pump } from '../stdio.js';
import { forwardResize, rawTerminal } from '../terminal.js';

export const spec: CommandSpec = {
  name: 'attach', usage: 'attach [OPTIONS] CONTAINER', description: "Attach local standard input, output, and error streams to a running container", minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
    { long: 'no-stdin', type: 'bool', help: 'Do not attach STDIN' },
    { long: 'sig-proxy', type: 'bool', default: true, help: 'Proxy all received signals to the process' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  const id = p.args[0] as string;
  const { value: c } = await client.inspectContainer(id);
  if (!c.State.Running) throw new ExitError(1, 'You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new ExitError(1, 'You cannot attach to a paused container, unpause it first');
  const tty = Boolean(c.Config.Tty); const stdin = !p.flags['no-stdin'] && Boolean(c.Config.OpenStdin);
  const wait = await client.waitContainer(id, 'not-running');
  const conn = await client.attachContainer(id, { stream: true, stdin, stdout: true, stderr: true, detachKeys: p.flags['detach-keys'] as string | undefined });
  const term = tty && stdin ? await rawTerminal() : undefined;
  const stopResize = tty ? forwardResize(ctx, (s) => client.resizeContainer(id, s)) : () => undefined;
  const stopSignals = p.flags['sig-proxy'] && !tty ? proxySignals((sig) => client.killContainer(id, sig)) : () => undefined;
  try {
    await pump(conn, { tty, stdin: stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr });
    return (await wait.result).StatusCode;
  } finally { stopResize(); stopSignals(); term?.restore(); if (stdin) ctx.stdin.pause(); }
}
