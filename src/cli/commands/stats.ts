// docker stats: one row per container from GET /containers/{id}/stats?stream=false, once
// (--no-stream) or redrawn every second.
import type { EngineClient } from '../../client/client.js';
import { out, err, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';
import { STATS_HEADERS, STATS_TABLE, statsRow, type StatsJson, type StatsRow } from '../stats-format.js';

export const spec: CommandSpec = {
  name: 'stats', usage: 'stats [OPTIONS] [CONTAINER...]', description: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Show all containers (default shows just running)' },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'no-stream', type: 'bool', help: 'Disable streaming stats and only pull the first result' },
    { long: 'no-trunc', type: 'bool', help: 'Do not truncate output' },
  ],
};

async function targets(client: EngineClient, p: Parsed): Promise<string[]> {
  if (p.args.length) return p.args;
  const list = await client.listContainers({ all: p.flags.all as boolean });
  return list.map((c) => c.Id);
}

async function rows(ctx: CliContext, client: EngineClient, names: string[], trunc: boolean): Promise<{ rows: StatsRow[]; failed: boolean }> {
  let failed = false;
  const got = await Promise.all(names.map(async (name) => {
    try {
      const s = await client.json<StatsJson>({ path: `/containers/${encodeURIComponent(name)}/stats`, query: { stream: 0 } });
      return statsRow(s, { container: name.length === 64 ? name.slice(0, 12) : name, trunc });
    } catch (e) {
      failed = true;
      err(ctx, `Error response from daemon: ${(e as Error).message}\n`);
      return undefined;
    }
  }));
  return { rows: got.filter((r): r is StatsRow => r !== undefined), failed };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const client = await ctx.client();
  let format = (p.flags.format as string | undefined) || STATS_TABLE;
  if (format === 'json') format = '{{json .}}';
  if (format === 'table') format = STATS_TABLE;
  const trunc = !p.flags['no-trunc'];
  if (p.flags['no-stream']) {
    const r = await rows(ctx, client, await targets(client, p), trunc);
    out(ctx, render({ format, headers: STATS_HEADERS }, r.rows));
    return r.failed ? 1 : 0;
  }
  for (;;) {
    const r = await rows(ctx, client, await targets(client, p), trunc);
    out(ctx, `\x1b[2J\x1b[H${render({ format, headers: STATS_HEADERS }, r.rows)}`);
    if (r.failed && p.args.length) return 1;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
