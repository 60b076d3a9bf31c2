// wharf compose cp SERVICE:SRC DEST | SRC SERVICE:DEST: `docker cp` with the service
// name resolved to one replica (`--index`, default the first), or, copying into the
// service, to every replica with `--all`.
import { projectContainers, serviceContainer } from '../../compose/index.js';
import { ExitError, type CliContext } from '../context.js';
import { splitCpArg } from '../cp-local.js';
import { parseArgs, type CommandSpec, type Parsed } from '../flags.js';
import * as cp from './cp.js';
import { projectOnly } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose cp', usage: 'compose cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n\tdocker compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH', description: 'Copy files/folders between a service container and the local filesystem', minArgs: 2, maxArgs: 2,
  flags: [
    { long: 'all', type: 'bool', help: 'Include containers created by the run command' },
    { long: 'archive', short: 'a', type: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symbol link in SRC_PATH' },
    { long: 'index', type: 'int', help: 'Index of the container if service has multiple replicas' },
    { long: 'quiet', short: 'q', type: 'bool', hidden: true },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [source, destination] = p.args as [string, string];
  const src = splitCpArg(source);
  const dst = splitCpArg(destination);
  if (src.container && dst.container) throw new ExitError(1, 'copying between services is not supported');
  if (!src.container && !dst.container) throw new ExitError(1, 'unknown copy direction');
  const service = src.container || dst.container;
  const { name: project } = projectOnly(ctx);
  const c = await ctx.client();
  const index = p.flags.index as number | undefined;
  const targets = dst.container && p.flags.all && !index
    ? await projectContainers(c, project, { all: true, services: [service], oneoff: 'any' })
    : [await serviceContainer(c, project, service, { index, all: true })];
  if (!targets.length) throw new ExitError(1, `no container found for service "${service}"`);
  const flags = [...(p.flags.archive ? ['-a'] : []), ...(p.flags['follow-link'] ? ['-L'] : []), ...(p.flags.quiet ? ['-q'] : [])];
  for (const x of targets) {
    const args = src.container ? [`${x.Id}:${src.path}`, destination] : [source, `${x.Id}:${dst.path}`];
    const code = await cp.main(ctx, parseArgs(cp.spec, [...flags, ...args]));
    if (code !== 0) return code;
  }
  return 0;
}
