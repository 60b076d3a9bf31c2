// Entry point of `wharf`. Kept tiny on purpose: start-up time is a target, so only the
// command being run is loaded (dynamic import, split into chunks by esbuild).
import { dispatch } from './dispatch.js';

process.exitCode = await dispatch(process.argv.slice(2));
