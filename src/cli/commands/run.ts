// docker run, in docker's order: create → attach (when attached) → wait registered →
// start → stream → exit with the container's status. -d prints the full ID instead.
import type { EngineClient } from '../../client/client.js';
import type { WaitResponse } from '../../client/types.js';
import { attachedStreams, createFlags, createOptionsFrom, type CreateOptions } from '../container-options.js';
import { describeError, ExitError, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { createContainer, PullFailed, startFailureCode } from '../run-core.js';
import { pump } from '../stdio.js';
import { consoleSize, forwardResize, rawTerminal } from '../terminal.js';
import { proxySignals } from '../signals.js';

export const spec: CommandSpec = {
  name: 'run', usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create and run a new container from an image', minArgs: 1, interspersed: false,
  flags: [
    ...createFlags,
    { long: 'detach', short: 'd', type: 'bool', help: 'Run container in background and print container ID' },
    { long: 'sig-proxy', type: 'bool', default: true, help: 'Proxy received signals to the process' },
    { long: 'detach-keys', type: 'string', help: 'Override the key sequence for detaching a container' },
  ],
};

function fail(ctx: CliContext, code: number, e: unknown): ExitError {
  return new ExitError(code, `${ctx.prog}: ${describeError(e)}\n\nRun '${ctx.prog} run --help' for more information`);
}

export interface RunIo { sigProxy: boolean; detachKeys?: string }

export async function runContainer(ctx: CliContext, client: EngineClient, o: CreateOptions, io: RunIo): Promise<number> {
  if (o.tty && !o.detach) o.consoleSize = consoleSize();
  let id: string;
  try { id = await createContainer(ctx, client, o); } catch (e) {
    // docker's toStatusError: a create error naming a missing file is 127, EACCES/EISDIR 126.
    const cause = e instanceof PullFailed ? e.cause : e;
    const text = cause instanceof Error ? cause.message : String(cause);
    throw fail(ctx, /executable file not found|no such file or directory/.test(text) ? 127 : /permission denied|is a directory/.test(text) ? 126 : 125, cause);
  }
  const streams = attachedStreams(o);
  const attached = streams.stdin || streams.stdout || streams.stderr;
  // Attach and wait both must be in place before start (no output lost; a --rm container
  // cannot vanish before the wait sees it), but not one after the other: one round trip.
  const [attachR, waitR] = await Promise.allSettled([
    attached ? client.attachContainer(id, { stream: true, ...streams, detachKeys: io.detachKeys }) : undefined,
    o.detach ? undefined : client.waitContainer(id, o.autoRemove ? 'removed' : 'next-exit'),
  ]);
  const conn = attachR.status === 'fulfilled' ? attachR.value : undefined;
  const wait = waitR.status === 'fulfilled' ? waitR.value : undefined;
  if (attachR.status === 'rejected' || waitR.status === 'rejected') {
    conn?.destroy();
    wait?.cancel();
    throw attachR.status === 'rejected' ? attachR.reason : (waitR as PromiseRejectedResult).reason;
  }
  const waitResult = wait?.result;
  const term = o.tty && streams.stdin ? await rawTerminal() : undefined;
  try {
    try { await client.startContainer(id); } catch (e) {
      conn?.destroy();
      wait?.cancel();
      throw fail(ctx, startFailureCode((e as Error).message), e);
    }
    if (o.detach) { out(ctx, `${id}\n`); return 0; }
    const stopResize = o.tty ? forwardResize(ctx, (s) => client.resizeContainer(id, s)) : () => undefined;
    const stopSignals = io.sigProxy && !o.tty ? proxySignals((sig) => client.killContainer(id, sig)) : () => undefined;
    try {
      if (conn) await pump(conn, { tty: o.tty, stdin: streams.stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr });
      const r = await (waitResult as Promise<WaitResponse>);
      if (r.Error?.Message) ctx.stderr.write(`${ctx.prog}: Error response from daemon: ${r.Error.Message}\n`);
      return r.StatusCode;
    } finally { stopResize(); stopSignals(); }
  } finally {
    term?.restore();
    if (streams.stdin) ctx.stdin.pause();
  }
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const o = createOptionsFrom(p, { detach: p.flags.detach as boolean });
  if (o.detach && o.autoRemove === undefined) o.autoRemove = false;
  const client = await ctx.client().catch((e: unknown) => { throw fail(ctx, 125, e); });
  return runContainer(ctx, client, o, { sigProxy: p.flags['sig-proxy'] as boolean, detachKeys: p.flags['detach-keys'] as string | undefined });
}
