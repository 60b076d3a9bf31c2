// wharf compose ps: the project's containers (compose v2's columns), -a, -q, --services, --format json.
import type { ContainerSummary } from '../../client/index.js';
import { projectContainers, serviceOf } from '../../compose/index.js';
import { displayPorts } from '../container-format.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { tabulate } from '../tabwriter.js';
import { ellipsis, goTime, timeAgo } from '../units.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose ps', usage: 'compose ps [OPTIONS] [SERVICE...]', description: 'List containers',
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Show all stopped containers (including those created by the run command)' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only display IDs' },
    { long: 'services', type: 'bool', help: 'Display services' },
    { long: 'format', type: 'string', help: 'Format output using a custom template: \'table\' | \'json\'', default: 'table' },
    { long: 'status', type: 'list', help: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
    { long: 'filter', type: 'list', help: 'Filter services by a property (supported filters: status).' },
    { long: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { long: 'orphans', type: 'bool', default: true, help: 'Include orphaned services (not declared by project)' },
  ],
};

const name = (x: ContainerSummary): string => (x.Names?.[0] ?? '').replace(/^\//, '');

function jsonView(x: ContainerSummary, project: string): Record<string, unknown> {
  const labels = x.Labels ?? {};
  return {
    Command: JSON.stringify(x.Command), CreatedAt: goTime(x.Created), ExitCode: exitCode(x), Health: health(x),
    ID: x.Id, Image: x.Image, Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    LocalVolumes: String((x.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Mounts: (x.Mounts ?? []).map((m) => m.Name ?? m.Source).join(','), Name: name(x), Names: name(x),
    Networks: Object.keys(x.NetworkSettings?.Networks ?? {}).sort().join(','), Ports: displayPorts(x.Ports), Project: project,
    Publishers: (x.Ports ?? []).map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type })),
    RunningFor: timeAgo(x.Created), Service: serviceOf(x), Size: '0B', State: x.State, Status: x.Status,
  };
}

function exitCode(x: ContainerSummary): number {
  const m = /^Exited \((\d+)\)/.exec(x.Status);
  return m ? Number(m[1]) : 0;
}

function health(x: ContainerSummary): string {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(x.Status);
  return m ? (m[1] === 'health: starting' ? 'starting' : (m[1] as string)) : '';
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const { name: project } = projectOnly(ctx);
  const c = await ctx.client();
  const wanted = [...(p.flags.status as string[]), ...(p.flags.filter as string[]).filter((f) => f.startsWith('status=')).map((f) => f.slice(7))];
  let list = await projectContainers(c, project, { all: (p.flags.all as boolean) || wanted.length > 0, services: p.args });
  if (wanted.length) list = list.filter((x) => wanted.includes(x.State));
  if (p.flags.quiet) { out(ctx, list.map((x) => `${x.Id}\n`).join('')); return 0; }
  if (p.flags.services) { out(ctx, [...new Set(list.map(serviceOf))].map((s) => `${s}\n`).join('')); return 0; }
  const format = p.flags.format as string;
  if (format === 'json') { out(ctx, list.map((x) => `${JSON.stringify(jsonView(x, project))}\n`).join('')); return 0; }
  const trunc = !p.flags['no-trunc'];
  const rows = ['NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS', ...list.map((x) => [
    name(x), x.Image, JSON.stringify(trunc ? ellipsis(x.Command, 20) : x.Command), serviceOf(x), timeAgo(x.Created), x.Status, displayPorts(x.Ports),
  ].join('\t'))];
  out(ctx, tabulate(`${rows.join('\n')}\n`));
  return 0;
}
