// wharf compose port SERVICE PRIVATE_PORT: the public address of one replica's port
// (`--index`, `--protocol`), as compose v2 prints it: `0.0.0.0:8080`.
import { serviceContainer } from '../../compose/index.js';
import { InvalidArgument } from '../../errdefs/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose port', usage: 'compose port [OPTIONS] SERVICE PRIVATE_PORT', description: 'Print the public port for a port binding', minArgs: 2, maxArgs: 2,
  flags: [
    { long: 'index', type: 'int', help: 'Index of the container if service has multiple replicas' },
    { long: 'protocol', type: 'string', default: 'tcp', help: 'tcp or udp' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [service, portArg] = p.args as [string, string];
  if (!/^\d+$/.test(portArg) || Number(portArg) > 65535) throw new InvalidArgument(`strconv.ParseUint: parsing ${JSON.stringify(portArg)}: ${/^\d+$/.test(portArg) ? 'value out of range' : 'invalid syntax'}`);
  const port = Number(portArg);
  const protocol = (p.flags.protocol as string).toLowerCase();
  const { name: project } = projectOnly(ctx);
  const x = await serviceContainer(await ctx.client(), project, service, { index: p.flags.index as number | undefined, oneoff: true });
  const hit = (x.Ports ?? []).find((b) => b.PrivatePort === port && b.Type === protocol && b.PublicPort);
  if (!hit) {
    const have = (x.Ports ?? []).map((b) => `${b.PublicPort ?? 0}/${b.Type}`).join(', ');
    throw new InvalidArgument(`no port ${port}/${protocol} for container ${(x.Names?.[0] ?? '').replace(/^\//, '')}: ${have}`);
  }
  out(ctx, `${hit.IP ?? ''}:${hit.PublicPort}\n`);
  return 0;
}
