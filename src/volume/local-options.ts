// The local driver's options (`-o type=… -o device=… -o o=…`), checked as moby's
// volume/local does, and turned into a mount(8) call as data, so it is testable unmounted.
import { InvalidArgument } from '../errdefs/index.js';

const VALID_OPTIONS = ['type', 'device', 'o'];

/** Refuses unknown keys and an incomplete mount description (moby's wording). */
export function validateLocalOptions(opts: Record<string, string>): void {
  const keys = Object.keys(opts);
  if (keys.length === 0) return;
  for (const k of keys) if (!VALID_OPTIONS.includes(k)) throw new InvalidArgument(`invalid option: ${JSON.stringify(k)}`);
  for (const k of ['type', 'device']) if (!opts[k]) throw new InvalidArgument(`missing required option: ${JSON.stringify(k)}`);
}

/** Whether the volume is a file system of its own that must be mounted before use. */
export function needsMount(opts: Record<string, string>): boolean {
  return !!opts.type || !!opts.device;
}

/** mount(8) arguments that put the volume's file system on `target`. */
export function mountArgs(opts: Record<string, string>, target: string): string[] {
  return ['-t', opts.type || 'none', ...(opts.o ? ['-o', opts.o] : []), opts.device || 'none', target];
}
