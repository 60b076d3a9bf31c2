// wharf compose top [SERVICE...]: every running container's processes in one table,
// compose v2's layout: SERVICE and # (the replica number) first, CMD last.
import type { TopResponse } from '../../client/index.js';
import { containerNumber, projectContainers, serviceOf } from '../../compose/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { tabulate } from '../tabwriter.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = { name: 'compose top', usage: 'compose top [SERVICES...]', description: 'Display the running processes', flags: [] };

export interface ContainerProcs { service: string; replica: string; top: TopResponse }

/** The table's lines: the union of the containers' ps columns, CMD moved to the end. */
export function topTable(list: ContainerProcs[]): string[] {
  const header = ['SERVICE', '#'];
  for (const x of list) for (const t of x.top.Titles) if (!header.includes(t)) header.push(t);
  const cmd = header.indexOf('CMD');
  if (cmd >= 0) header.push(...header.splice(cmd, 1));
  const rows = list.flatMap((x) => x.top.Processes.map((proc) => {
    const entry = new Map<string, string>([['SERVICE', x.service], ['#', x.replica]]);
    x.top.Titles.forEach((t, i) => entry.set(t, proc[i] ?? ''));
    return header.map((h) => entry.get(h) ?? '-').join('\t');
  }));
  return rows.length ? [header.join('\t'), ...rows] : [];
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const { name: project } = projectOnly(ctx);
  const c = await ctx.client();
  const list = (await projectContainers(c, project, { services: p.args })).filter((x) => x.State === 'running');
  const procs = await Promise.all(list.map(async (x) => ({ name: x.Names?.[0] ?? '', service: serviceOf(x), replica: String(containerNumber(x)), top: await c.topContainer(x.Id) })));
  procs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = topTable(procs);
  if (lines.length) out(ctx, tabulate(`${lines.join('\n')}\n`, { minWidth: 4, padding: 2 }));
  return 0;
}
