// docker events: the daemon's event stream, one line per event, until `--until` (or ^C).
import { textLines } from '../../client/index.js';
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { apiTimestamp } from './logs.js';

export const spec: CommandSpec = {
  name: 'events', usage: 'events [OPTIONS]', description: 'Get real time events from the server', maxArgs: 0,
  flags: [
    { long: 'filter', short: 'f', type: 'list', help: 'Filter output based on conditions provided' },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'since', type: 'string', help: 'Show all events created since timestamp' },
    { long: 'until', type: 'string', help: 'Stream events until this timestamp' },
  ],
};

interface EventMessage {
  status?: string; id?: string; from?: string;
  Type: string; Action: string; Actor: { ID: string; Attributes?: Record<string, string> };
  scope?: string; time?: number; timeNano?: number;
}

/** The fields in Go's order (events.Message), so `{{json .}}` prints what docker prints. */
function goOrder(e: EventMessage): EventMessage {
  const o: Partial<EventMessage> = {};
  if (e.status) o.status = e.status;
  if (e.id) o.id = e.id;
  if (e.from) o.from = e.from;
  return Object.assign(o, { Type: e.Type, Action: e.Action, Actor: { ID: e.Actor.ID, Attributes: e.Actor.Attributes ?? {} }, scope: e.scope ?? 'local', time: e.time ?? 0, timeNano: e.timeNano ?? 0 });
}


/** Go's "2006-01-02T15:04:05.000000000Z07:00" in the local zone, as docker's CLI prints. */
export function eventTime(e: Pick<EventMessage, 'time' | 'timeNano'>, exactNano?: bigint, tzOffsetMin = new Date().getTimezoneOffset()): string {
  const ns = exactNano ?? (e.timeNano ? BigInt(Math.round(e.timeNano)) : BigInt(e.time ?? 0) * 1_000_000_000n);
  const ms = Number(ns / 1_000_000n);
  const local = new Date(ms - tzOffsetMin * 60_000);
  const frac = String(ns % 1_000_000_000n).padStart(9, '0');
  const off = -tzOffsetMin;
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
  return `${local.toISOString().slice(0, 19)}.${frac}${zone}`;
}

/** docker's prettyPrintEvent: time, type, action, actor, then the attributes sorted by key. */
export function prettyEvent(e: EventMessage, exactNano?: bigint): string {
  let line = `${e.timeNano || e.time ? `${eventTime(e, exactNano)} ` : ''}${e.Type} ${e.Action} ${e.Actor.ID}`;
  const attrs = e.Actor.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) line += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${line}\n`;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  const since = p.flags.since as string | undefined;
  const until = p.flags.until as string | undefined;
  const filters = parseFilters(p.flags.filter as string[]);
  const res = await client.raw({
    method: 'GET', path: '/events',
    query: {
      since: since ? apiTimestamp(since) : undefined, until: until ? apiTimestamp(until) : undefined,
      filters: Object.keys(filters).length ? JSON.stringify(filters) : undefined,
    },
  });
  let format = p.flags.format as string | undefined;
  if (format === 'json') format = '{{json .}}';
  const template = format ? new (await import('../template.js')).Template(format) : undefined;
  for await (const line of textLines(res)) {
    const e = JSON.parse(line) as EventMessage;
    // timeNano exceeds 2^53: keep the digits the daemon sent, as Go's int64 would.
    const nano = /"timeNano":(\d+)[,}]/.exec(line)?.[1];
    out(ctx, template ? `${template.execute(goOrder(e))}\n` : prettyEvent(e, nano ? BigInt(nano) : undefined));
  }
  return 0;
}
