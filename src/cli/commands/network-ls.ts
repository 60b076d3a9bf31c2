// docker network ls: rows in natural name order, docker's networkContext fields.
import type { NetworkInspect } from '../../contract/index.js';
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';
import { naturalCompare } from '../natsort.js';
import { GO_MARSHAL } from '../template.js';
import { shortId } from '../units.js';
import { listNetworks } from '../../client/networks.js';

export const spec: CommandSpec = {
  name: 'network ls', usage: 'network ls [OPTIONS]', description: 'List networks', maxArgs: 0,
  flags: [
    { long: 'filter', short: 'f', type: 'list', help: 'Provide filter values (e.g. "driver=bridge")' },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'no-trunc', type: 'bool', help: 'Do not truncate the output' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only display network IDs' },
  ],
};

export const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6',
  Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

const TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** Go's time.Time.String() of an RFC 3339 UTC time: `2025-01-02 03:04:05.123456789 +0000 UTC`. */
export function goTimeString(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(rfc3339);
  if (!m) return rfc3339;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} +0000 UTC`;
}

/** The object a `network ls` template runs against (`{{json .}}` gives docker's keys, sorted). */
export function networkContext(n: NetworkInspect, o: { trunc: boolean }): Record<string, unknown> {
  const labels = n.Labels ?? {};
  const ctx: Record<string, unknown> = {
    CreatedAt: goTimeString(n.Created),
    Driver: n.Driver,
    ID: o.trunc ? shortId(n.Id) : n.Id,
    IPv4: String(n.EnableIPv4 ?? true),
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Name: n.Name,
    Scope: n.Scope,
  };
  Object.defineProperty(ctx, 'Label', { value: (k: unknown) => labels[String(k)] ?? '', enumerable: false });
  Object.defineProperty(ctx, GO_MARSHAL, { value: true, enumerable: false });
  return ctx;
}

export interface NetworkLsOptions { format?: string; quiet: boolean; noTrunc: boolean }

export function formatNetworks(list: NetworkInspect[], o: NetworkLsOptions): string {
  let format = o.format || 'table';
  if (format === 'table') format = o.quiet ? '{{.ID}}' : TABLE;
  else if (format === 'json') format = '{{json .}}';
  else if (format === 'raw') format = o.quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  const rows = [...list].sort((a, b) => naturalCompare(a.Name, b.Name)).map((n) => networkContext(n, { trunc: !o.noTrunc }));
  return render({ format, headers: NETWORK_HEADERS }, rows);
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const filters = parseFilters(p.flags.filter as string[]);
  const list = await listNetworks(await ctx.client(), filters);
  out(ctx, formatNetworks(list, { format: p.flags.format as string | undefined, quiet: p.flags.quiet as boolean, noTrunc: p.flags['no-trunc'] as boolean }));
  return 0;
}
