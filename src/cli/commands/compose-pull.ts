// wharf compose pull [SERVICE...]: each service's image, with the registry credentials
// of ~/.docker/config.json; build-only services are skipped, as compose v2 does.
import type { EngineClient } from '../../client/index.js';
import { selectedServices, type Service } from '../../compose/index.js';
import { parseNormalizedNamed, repositoryName } from '../../reference/reference.js';
import { describeError, ExitError, type CliContext } from '../context.js';
import { registryAuthFor } from '../docker-config.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { renderProgress } from '../progress.js';
import { load } from './compose-project.js';

export const spec: CommandSpec = {
  name: 'compose pull', usage: 'compose pull [OPTIONS] [SERVICE...]', description: 'Pull service images',
  flags: [
    { long: 'ignore-buildable', type: 'bool', help: 'Ignore images that can be built' },
    { long: 'ignore-pull-failures', type: 'bool', help: 'Pull what it can and ignores images with pull failures' },
    { long: 'include-deps', type: 'bool', help: 'Also pull services declared as dependencies' },
    { long: 'policy', type: 'string', help: 'Apply pull policy ("missing"|"always")' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Pull without printing progress information' },
  ],
};

/** Pulls or pushes one reference with the user's credentials; throws the stream's error. */
export async function transfer(c: EngineClient, verb: 'pull' | 'push', image: string): Promise<void> {
  const ref = parseNormalizedNamed(image);
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
  const registryAuth = await registryAuthFor(ref.domain);
  const res = verb === 'pull'
    ? await c.pullImage(repositoryName(ref), { tag: ref.digest ?? ref.tag, registryAuth })
    : await c.pushImage(repositoryName(ref), { tag: ref.tag, registryAuth });
  await renderProgress(res, process.stderr, { quiet: true });
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const project = load(ctx, { services: p.args });
  const c = await ctx.client();
  const services = Object.values(selectedServices(project, { services: p.args, noDeps: !p.flags['include-deps'] }));
  const quiet = p.flags.quiet as boolean;
  const say = (s: string): void => { if (!quiet) ctx.stderr.write(s); };
  let failed = false;
  await Promise.all(services.map(async (s: Service) => {
    if (!s.image) { say(` ${s.name} Skipped - No image to be pulled\n`); return; }
    if (s.build && (p.flags['ignore-buildable'] || s.pull_policy === 'build')) { say(` ${s.name} Skipped - Image can be built\n`); return; }
    if (p.flags.policy === 'missing' && (await c.inspectImage(s.image).then(() => true, () => false))) { say(` ${s.name} Skipped - Image is already present locally\n`); return; }
    say(` ${s.name} Pulling \n`);
    try {
      await transfer(c, 'pull', s.image);
      say(` ${s.name} Pulled \n`);
    } catch (e) {
      // A service that can be built does not fail the pull (compose v2: "ignoreBuildable" warnings).
      if (s.build || p.flags['ignore-pull-failures']) { say(` ${s.name} Warning ${describeError(e)}\n`); return; }
      say(` ${s.name} Error ${describeError(e)}\n`);
      failed = true;
    }
  }));
  if (failed) throw new ExitError(1, 'Error response from daemon: one or more images failed to pull');
  return 0;
}
