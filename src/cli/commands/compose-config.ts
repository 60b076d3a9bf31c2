// wharf compose config: the resolved model (or just service / volume names, or nothing with -q).
import { renderConfig, serviceHash } from '../../compose/index.js';
import { out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { load } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose config', usage: 'compose config [OPTIONS] [SERVICE...]', description: 'Parse, resolve and render compose file in canonical format',
  flags: [
    { long: 'services', type: 'bool', help: 'Print the service names, one per line.' },
    { long: 'volumes', type: 'bool', help: 'Print the volume names, one per line.' },
    { long: 'profiles', type: 'bool', help: 'Print the profile names, one per line.' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Only validate the configuration, don\'t print anything' },
    { long: 'format', type: 'string', help: 'Format the output. Values: [yaml | json]', default: 'yaml' },
    { long: 'hash', type: 'string', help: 'Print the service config hash, one per line.' },
    { long: 'output', short: 'o', type: 'string', help: 'Save to file (default to stdout)' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const project = load(ctx, { services: p.args });
  if (p.flags.quiet) return 0;
  if (p.flags.services) { out(ctx, Object.keys(project.services).map((s) => `${s}\n`).join('')); return 0; }
  if (p.flags.volumes) { out(ctx, Object.keys(project.volumes).map((s) => `${s}\n`).join('')); return 0; }
  if (p.flags.profiles) {
    const all = [...new Set(Object.values({ ...project.services, ...project.disabled }).flatMap((s) => s.profiles ?? []))].sort();
    out(ctx, all.map((s) => `${s}\n`).join(''));
    return 0;
  }
  if (p.flags.hash !== undefined) {
    const want = (p.flags.hash as string) === '*' ? Object.keys(project.services) : (p.flags.hash as string).split(',');
    out(ctx, want.filter((n) => project.services[n]).map((n) => `${n} ${serviceHash(project.services[n]!)}\n`).join(''));
    return 0;
  }
  const text = renderConfig(project, p.flags.format === 'json' ? 'json' : 'yaml');
  if (p.flags.output) { (await import('node:fs')).writeFileSync(p.flags.output as string, text); return 0; }
  out(ctx, text);
  return 0;
}
