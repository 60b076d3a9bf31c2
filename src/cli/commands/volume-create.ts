// docker volume create [OPTIONS] [VOLUME]: prints the volume's name.
import { out, type CliContext } from '../context.js';
import { parseLabels } from '../container-options.js';
import { FlagError, type CommandSpec, type Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'volume create', usage: 'volume create [OPTIONS] [VOLUME]', description: 'Create a volume', maxArgs: 1,
  flags: [
    { long: 'driver', short: 'd', type: 'string', default: 'local', help: 'Specify volume driver name' },
    { long: 'label', type: 'list', help: 'Set metadata for a volume' },
    { long: 'name', type: 'string', hidden: true },
    { long: 'opt', short: 'o', type: 'list', help: 'Set driver specific options' },
  ],
};

/** `-o k=v` pairs (docker's MapOpts: a value may itself hold "=", as in `o=size=1m`). */
export function parseDriverOpts(list: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new FlagError(`invalid argument "${kv}" for "-o, --opt" flag: invalid key value pair format in driver options`);
    opts[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return opts;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const named = p.flags.name as string | undefined;
  if (named && p.args[0] && named !== p.args[0]) throw new FlagError(`conflicting options: either specify --name or provide positional arg, not both`);
  const opts = parseDriverOpts(p.flags.opt as string[]);
  const labels = parseLabels(p.flags.label as string[]);
  // Empty maps are left out, as docker's CLI does (Docker would show `{}` instead of null).
  const v = await (await ctx.client()).createVolume({
    Name: p.args[0] ?? named ?? '',
    Driver: p.flags.driver as string,
    ...(Object.keys(opts).length ? { DriverOpts: opts } : {}),
    ...(Object.keys(labels).length ? { Labels: labels } : {}),
  });
  out(ctx, `${v.Name}\n`);
  return 0;
}
