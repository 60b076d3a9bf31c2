// docker ps: flags → PsOptions → listContainers() → rendered rows.
import type { EngineClient } from '../../client/client.js';
import type { ContainerSummary } from '../../client/types.js';
import { containerContext, PS_HEADERS, PS_TABLE } from '../container-format.js';
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';

export const spec: CommandSpec = {
  name: 'ps', usage: 'ps [OPTIONS]', description: 'List containers', maxArgs: 0,
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Show all containers (default shows just running)' },
    { long: 'filter', short: 'f', type: 'list', help: 'Filter output based on conditions provided' },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'last', short: 'n', type: 'int', default: -1, help: 'Show n last created containers (includes all states)' },
    { long: 'latest', short: 'l', type: 'bool', help: 'Show the latest created container (includes all states)' },
    { long: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only display container IDs' },
    { long: 'size', short: 's', type: 'bool', help: 'Display total file sizes' },
  ],
};

export interface PsOptions {
  all: boolean; last: number; latest: boolean; filters: Record<string, string[]>;
  size: boolean; noTrunc: boolean; quiet: boolean; format?: string;
}

export async function listContainers(client: EngineClient, o: PsOptions): Promise<ContainerSummary[]> {
  const limit = o.latest ? 1 : o.last > 0 ? o.last : undefined;
  // Like docker, ask for sizes when the template shows them, not only with -s.
  const size = o.size || /\.Size\b|json \.\s*\}\}/.test(o.format ?? '') || o.format === 'json';
  return client.listContainers({ all: o.all || limit !== undefined, limit, size, filters: o.filters });
}

export function formatContainers(list: ContainerSummary[], o: PsOptions): string {
  let format = o.format ?? (o.quiet ? '{{.ID}}' : PS_TABLE + (o.size ? '\t{{.Size}}' : ''));
  if (format === 'table' ) format = PS_TABLE + (o.size ? '\t{{.Size}}' : '');
  if (format === 'json') format = '{{json .}}';
  if (o.quiet && o.format && !o.format.startsWith('table')) format = o.format;
  else if (o.quiet) format = '{{.ID}}';
  const now = Date.now();
  return render({ format, headers: PS_HEADERS }, list.map((c) => containerContext(c, { trunc: !o.noTrunc, now })));
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const o: PsOptions = {
    all: p.flags.all as boolean, last: p.flags.last as number, latest: p.flags.latest as boolean,
    filters: parseFilters(p.flags.filter as string[]), size: p.flags.size as boolean,
    noTrunc: p.flags['no-trunc'] as boolean, quiet: p.flags.quiet as boolean, format: p.flags.format as string | undefined,
  };
  const client = await ctx.client();
  out(ctx, formatContainers(await listContainers(client, o), o));
  return 0;
}
