// wharf compose run SERVICE [COMMAND]: a one-off container (src/compose/oneoff.ts), then
// as `docker run`: attach and wait before start, stream, exit with the container's code;
// -d prints the ID instead.
import type { WaitResponse } from '../../client/index.js';
import { createOneOff, type RunOptions } from '../../compose/index.js';
import { out, type CliContext } from '../context.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { parseLabels, resolveEnv } from '../container-options.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { proxySignals } from '../signals.js';
import { pump } from '../stdio.js';
import { forwardResize, rawTerminal } from '../terminal.js';
import { load, progress } from './compose-project.js';
import { registryAuthFor } from '../docker-config.js';

export const spec: CommandSpec = {
  name: 'compose run', usage: 'compose run [OPTIONS] SERVICE [COMMAND] [ARGS...]', description: 'Run a one-off command on a service', minArgs: 1, interspersed: false,
  flags: [
    { long: 'build', type: 'bool', help: 'Build image before starting container' },
    { long: 'detach', short: 'd', type: 'bool', help: 'Run container in background and print container ID' },
    { long: 'entrypoint', type: 'string', help: 'Override the entrypoint of the image' },
    { long: 'env', short: 'e', type: 'list', help: 'Set environment variables' },
    { long: 'label', short: 'l', type: 'list', help: 'Add or override a label' },
    { long: 'name', type: 'string', help: 'Assign a name to the container' },
    { long: 'publish', short: 'p', type: 'list', help: "Publish a container's port(s) to the host" },
    { long: 'volume', short: 'v', type: 'list', help: 'Bind mount a volume' },
    { long: 'no-TTY', short: 'T', type: 'bool', help: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    { long: 'no-deps', type: 'bool', help: "Don't start linked services" },
    { long: 'rm', type: 'bool', help: 'Automatically remove the container when it exits' },
    { long: 'service-ports', type: 'bool', help: "Run command with all service's ports enabled and mapped to the host" },
    { long: 'use-aliases', type: 'bool', help: "Use the service's network useAliases in the network(s) the container connects to" },
    { long: 'user', short: 'u', type: 'string', help: 'Run as specified username or uid' },
    { long: 'workdir', short: 'w', type: 'string', help: 'Working directory inside the container' },
    { long: 'quiet-pull', type: 'bool', help: 'Pull without printing progress information' },
    { long: 'remove-orphans', type: 'bool', help: 'Remove containers for services not defined in the Compose file' },
    { long: 'interactive', short: 'i', type: 'bool', default: true, help: 'Keep STDIN open even if not attached' },
    { long: 'tty', short: 't', type: 'bool', default: true, hidden: true },
  ],
};

/** Compose splits --entrypoint like a shell would: words, with '…' and "…" quoting. */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of s.matchAll(re)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''));
  return words;
}

/** `-l KEY=VALUE`; compose refuses a label without `=`. */
function labels(list: string[]): Record<string, string> {
  if (list.some((l) => !l.includes('='))) throw new InvalidArgument('label must be set as KEY=VALUE');
  return parseLabels(list);
}

export function runOptions(ctx: CliContext, p: Parsed): RunOptions {
  const [service, ...command] = p.args as [string, ...string[]];
  const detach = p.flags.detach as boolean;
  const stdinTty = Boolean((ctx.stdin as { isTTY?: boolean }).isTTY);
  return {
    registryAuth: registryAuthFor,
    service, command, env: resolveEnv(p.flags.env as string[]), labels: labels(p.flags.label as string[]),
    publish: p.flags.publish as string[], volumes: p.flags.volume as string[],
    entrypoint: p.set.has('entrypoint') ? shellWords(p.flags.entrypoint as string) : undefined,
    user: p.flags.user as string | undefined, workdir: p.flags.workdir as string | undefined, name: p.flags.name as string | undefined,
    servicePorts: p.flags['service-ports'] as boolean, useAliases: p.flags['use-aliases'] as boolean, noDeps: p.flags['no-deps'] as boolean,
    autoRemove: p.flags.rm as boolean, build: p.flags.build ? 'always' : 'missing',
    tty: !p.flags['no-TTY'] && (p.flags.tty as boolean) && stdinTty && !detach,
    interactive: (p.flags.interactive as boolean) && !detach,
  };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const o = runOptions(ctx, p);
  const project = load(ctx);
  const c = await ctx.client();
  const { id } = await createOneOff(c, project, o, progress(ctx));
  if (p.flags.detach) {
    await c.startContainer(id);
    out(ctx, `${id}\n`);
    return 0;
  }
  const [conn, wait] = await Promise.all([
    c.attachContainer(id, { stream: true, stdin: o.interactive, stdout: true, stderr: true }),
    c.waitContainer(id, o.autoRemove ? 'removed' : 'next-exit'),
  ]);
  const term = o.tty && o.interactive ? await rawTerminal() : undefined;
  const stopResize = o.tty ? forwardResize(ctx, (s) => c.resizeContainer(id, s)) : () => undefined;
  const stopSignals = !o.tty ? proxySignals((sig) => c.killContainer(id, sig)) : () => undefined;
  try {
    await c.startContainer(id);
    await pump(conn, { tty: o.tty, stdin: o.interactive ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr });
    const r: WaitResponse = await wait.result;
    return r.StatusCode;
  } finally {
    stopResize(); stopSignals(); term?.restore();
    if (o.interactive) ctx.stdin.pause();
  }
}
