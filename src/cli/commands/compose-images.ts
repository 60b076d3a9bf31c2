// wharf compose images [SERVICE...]: the image of each of the project's containers,
// compose v2.29's columns (CONTAINER REPOSITORY TAG IMAGE ID SIZE), -q, --format json.
import { containerName, projectContainers } from '../../compose/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { tabulate } from '../tabwriter.js';
import { humanSize } from '../units.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose images', usage: 'compose images [OPTIONS] [SERVICE...]', description: 'List images used by the created containers',
  flags: [
    { long: 'format', type: 'string', default: 'table', help: 'Format the output. Values: [table | json]' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only display IDs' },
  ],
};

interface Row { ContainerName: string; ID: string; Repository: string; Tag: string; Size: number }

/** The tag the container was created from when the image still has it, else the image's first. */
function repoTag(configured: string, tags: string[]): [string, string] {
  const want = configured.includes(':') && configured.lastIndexOf(':') > configured.lastIndexOf('/') ? configured : `${configured}:latest`;
  const t = tags.find((x) => x === want) ?? tags[0];
  if (!t) return ['', ''];
  const i = t.lastIndexOf(':');
  return [t.slice(0, i), t.slice(i + 1)];
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const { name: project } = projectOnly(ctx);
  const c = await ctx.client();
  const list = await projectContainers(c, project, { all: true, services: p.args });
  const rows: Row[] = await Promise.all(list.map(async (x) => {
    const { value: img } = await c.inspectImage(x.ImageID);
    const [Repository, Tag] = repoTag(x.Image, (img.RepoTags ?? []) as string[]);
    return { ContainerName: containerName(x), ID: x.ImageID, Repository, Tag, Size: Number(img.Size ?? 0) };
  }));
  rows.sort((a, b) => (a.ContainerName < b.ContainerName ? -1 : 1));
  if (p.flags.quiet) { out(ctx, [...new Set(rows.map((r) => r.ID.replace(/^sha256:/, '')))].map((id) => `${id}\n`).join('')); return 0; }
  if (p.flags.format === 'json') { out(ctx, `${JSON.stringify(rows)}\n`); return 0; }
  const lines = ['CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE', ...rows.map((r) => [
    r.ContainerName, r.Repository || '<none>', r.Tag || '<none>', r.ID.replace(/^sha256:/, '').slice(0, 12), humanSize(r.Size, 3),
  ].join('\t'))];
  out(ctx, tabulate(`${lines.join('\n')}\n`));
  return 0;
}
