// wharf compose push [SERVICE...]: the image of every service that has both `build` and
// `image` (and its build.tags), with the user's registry credentials.
import { selectedServices } from '../../compose/index.js';
import { describeError, ExitError, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { load } from './compose-project.js';
import { transfer } from './compose-pull.js';

export const spec: CommandSpec = {
  name: 'compose push', usage: 'compose push [OPTIONS] [SERVICE...]', description: 'Push service images',
  flags: [
    { long: 'ignore-push-failures', type: 'bool', help: 'Push what it can and ignores images with push failures' },
    { long: 'include-deps', type: 'bool', help: 'Also push images of services declared as dependencies' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Push without printing progress information' },
  ],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const project = load(ctx, { services: p.args });
  const c = await ctx.client();
  const say = (s: string): void => { if (!p.flags.quiet) ctx.stderr.write(s); };
  for (const s of Object.values(selectedServices(project, { services: p.args, noDeps: !p.flags['include-deps'] }))) {
    if (!s.build || !s.image) { say(` ${s.name} Skipped \n`); continue; }
    for (const ref of [s.image, ...(s.build.tags ?? [])]) {
      say(` ${s.name} Pushing \n`);
      try {
        await transfer(c, 'push', ref);
      } catch (e) {
        say(` ${s.name} Error ${describeError(e)}\n`);
        if (!p.flags['ignore-push-failures']) throw new ExitError(1, describeError(e));
        continue;
      }
      say(` ${s.name} Pushed \n`);
    }
  }
  return 0;
}
