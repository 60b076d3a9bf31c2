// docker port: the container's published ports from inspect's NetworkSettings.Ports, in
// natural order: `80/tcp -> 0.0.0.0:8080` lines, or only the addresses for one port.
import type { PortBinding } from '../../contract/index.js';
import { ExitError, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { naturalCompare } from '../natsort.js';

export const spec: CommandSpec = {
  name: 'port', usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]', description: 'List port mappings or a specific mapping for the container', minArgs: 1, maxArgs: 2,
  flags: [],
};

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

type Ports = Record<string, PortBinding[] | null> | null | undefined;

/** The lines docker prints; throws docker's message when the asked-for port is not published. */
export function portLines(ports: Ports, container: string, which?: string): string[] {
  const lines: string[] = [];
  if (which !== undefined) {
    const slash = which.indexOf('/');
    const port = slash < 0 ? which : which.slice(0, slash);
    const proto = (slash < 0 ? '' : which.slice(slash + 1)) || 'tcp';
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      const why = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
      throw new ExitError(1, `Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${why}`);
    }
    const frontends = ports?.[`${port}/${proto}`];
    if (!frontends?.length) throw new ExitError(1, `Error: No public port '${which}' published for ${container}`);
    for (const f of frontends) lines.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(ports ?? {})) {
      for (const f of frontends ?? []) lines.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  return lines.sort(naturalCompare);
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [container, which] = p.args as [string, string?];
  const { value } = await (await ctx.client()).inspectContainer(container);
  const settings = value.NetworkSettings as { Ports?: Ports } | undefined;
  const lines = portLines(settings?.Ports, container, which);
  if (lines.length) out(ctx, `${lines.join('\n')}\n`);
  return 0;
}
