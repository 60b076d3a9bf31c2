// Entry point of `wharf`. Kept tiny on purpose: start-up time is a target. The bundle is
// CommonJS (see scripts/build.mjs), so no top-level await here.
import { dispatch } from './dispatch.js';

let settled = false;
// Called as `docker-compose` or `wharf-compose` (a link to this file): the compose command.
const self = process.argv[1]?.split('/').pop() ?? '';
const argv = /^(docker|wharf)-compose(\.c?js)?$/.test(self) ? ['compose', ...process.argv.slice(2)] : process.argv.slice(2);
dispatch(argv).then(
  (code) => { settled = true; process.exitCode = code; },
  (e: unknown) => { settled = true; process.stderr.write(`wharf: ${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; },
);
// The event loop emptied while a command still awaited something nobody will ever
// settle: a bug, and it must not pass for success (ESM's top-level await exits 13 here).
process.once('exit', () => {
  if (!settled) { process.stderr.write('wharf: internal error: the command stopped before it finished\n'); process.exitCode = 13; }
});
