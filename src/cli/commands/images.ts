// docker images: flags → ImagesOptions → listImages() → one row per tag.
import type { EngineClient } from '../../client/client.js';
import type { ImageSummary } from '../../client/types.js';
import { out, type CliContext } from '../context.js';
import { parseFilters } from '../filters.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { render } from '../format.js';
import { IMAGE_HEADERS, IMAGES_TABLE, IMAGES_TABLE_DIGESTS, imageContexts } from '../image-format.js';

export const spec: CommandSpec = {
  name: 'images', usage: 'images [OPTIONS] [REPOSITORY[:TAG]]', description: 'List images', maxArgs: 1,
  flags: [
    { long: 'all', short: 'a', type: 'bool', help: 'Show all images (default hides intermediate images)' },
    { long: 'digests', type: 'bool', help: 'Show digests' },
    { long: 'filter', short: 'f', type: 'list', help: 'Filter output based on conditions provided' },
    { long: 'format', type: 'string', help: 'Format output using a custom template' },
    { long: 'no-trunc', type: 'bool', help: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only show image IDs' },
    { long: 'tree', type: 'bool', hidden: true },
  ],
};

export interface ImagesOptions {
  all: boolean; digests: boolean; filters: Record<string, string[]>; format?: string;
  noTrunc: boolean; quiet: boolean; reference?: string;
}

export async function listImages(client: EngineClient, o: ImagesOptions): Promise<ImageSummary[]> {
  const filters = { ...o.filters };
  if (o.reference) filters.reference = [...(filters.reference ?? []), o.reference];
  return client.listImages({ all: o.all, digests: o.digests, filters });
}

export function formatImages(list: ImageSummary[], o: ImagesOptions): string {
  const now = Date.now();
  const table = o.digests ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE;
  let format = o.format ?? table;
  if (format === 'table') format = table;
  if (format === 'json') format = '{{json .}}';
  const trunc = !o.noTrunc;
  if (o.quiet) {
    // -q prints each image ID once, however many tags it has.
    const ids = [...new Set(list.map((i) => (trunc ? i.Id.replace(/^sha256:/, '').slice(0, 12) : i.Id)))];
    return ids.map((id) => `${id}\n`).join('');
  }
  const rows = list.flatMap((i) => imageContexts(i, { trunc, digests: o.digests, now }));
  return render({ format, headers: IMAGE_HEADERS }, rows);
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const o: ImagesOptions = {
    all: p.flags.all as boolean, digests: p.flags.digests as boolean, filters: parseFilters(p.flags.filter as string[]),
    format: p.flags.format as string | undefined, noTrunc: p.flags['no-trunc'] as boolean, quiet: p.flags.quiet as boolean,
    reference: p.args[0],
  };
  out(ctx, formatImages(await listImages(await ctx.client(), o), o));
  return 0;
}
