// docker history.
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';
import { ellipsis, goTime, humanSize, shortId, timeAgo } from '../units.js';

export const spec: CommandSpec = {
  name: 'history', usage: 'history [OPTIONS] IMAGE', description: 'Show the history of an image', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'human', short: 'H', type: 'bool', default: true, help: 'Print sizes and dates in human readable format' },
    { long: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
  ],
};

const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };
const TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const items = await (await ctx.client()).imageHistory(p.args[0] as string);
  const trunc = !p.flags['no-trunc']; const human = p.flags.human as boolean; const now = Date.now();
  const rows = items.map((h) => ({
    Comment: h.Comment,
    CreatedAt: human ? goTime(h.Created) : new Date(h.Created * 1000).toISOString().replace('.000Z', 'Z'),
    CreatedBy: trunc ? ellipsis(h.CreatedBy.replace(/\t/g, ' '), 45) : h.CreatedBy,
    CreatedSince: human ? timeAgo(h.Created, now) : goTime(h.Created),
    ID: h.Id === '<missing>' ? '<missing>' : trunc ? shortId(h.Id) : h.Id,
    Size: human ? humanSize(h.Size, 3) : String(h.Size),
  }));
  let format = (p.flags.format as string | undefined) ?? (p.flags.quiet ? '{{.ID}}' : TABLE);
  if (format === 'json') format = '{{json .}}';
  out(ctx, render({ format, headers: HEADERS }, rows));
  return 0;
}
