// wharf compose build: builds every service with a `build:` section (or the named ones).
import { buildService } from '../../compose/index.js';
import type { CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { load, progress } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose build', usage: 'compose build [OPTIONS] [SERVICE...]', description: 'Build or rebuild services',
  flags: [
    { long: 'no-cache', type: 'bool', help: 'Do not use cache when building the image' },
    { long: 'build-arg', type: 'list', help: 'Set build-time variables for services' },
    { long: 'quiet', short: 'q', type: 'bool', help: "Don't print anything to STDOUT" },
    { long: 'pull', type: 'bool', help: 'Always attempt to pull a newer version of the image' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const project = load(ctx, { services: p.args });
  const c = await ctx.client();
  const args = Object.fromEntries((p.flags['build-arg'] as string[]).map((kv) => { const i = kv.indexOf('='); return i < 0 ? [kv, process.env[kv] ?? ''] : [kv.slice(0, i), kv.slice(i + 1)]; }));
  const pr = progress(ctx);
  const quiet = p.flags.quiet as boolean;
  for (const s of Object.values(project.services)) {
    if (!s.build || (p.args.length && !p.args.includes(s.name))) continue;
    await buildService(c, project, s, { noCache: p.flags['no-cache'] as boolean, args }, quiet ? { event: () => undefined, note: () => undefined } : { event: pr.event, note: (t) => ctx.stdout.write(t) });
  }
  return 0;
}
