// What a command gets: the streams and a lazily connected client. Commands never touch
// process.* directly except run/attach/exec for the terminal, so they stay testable.
import type { Readable, Writable } from 'node:stream';
import type { EngineClient } from '../client/index.js';

export interface CliContext {
  /** Program name used in messages (`wharf`). */
  prog: string;
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  /** Connects (and auto-starts wharfd) on first use. */
  client(): Promise<EngineClient>;
}

/** A command failed in a way already reported; exit with this status. */
export class ExitError extends Error {
  constructor(readonly code: number, message = '') {
    super(message);
    this.name = 'ExitError';
  }
}

export function out(ctx: CliContext, s: string): void { ctx.stdout.write(s); }
export function err(ctx: CliContext, s: string): void { ctx.stderr.write(s); }

/** Runs `fn` for each name like docker's multi-object commands: print the name on success, the error on failure, exit 1 if any failed. */
export async function forEachName(ctx: CliContext, names: string[], fn: (name: string) => Promise<void>, opts: { echo?: boolean } = {}): Promise<number> {
  let failed = false;
  // Docker runs these in parallel but prints in order; sequential keeps order and is simple.
  for (const n of names) {
    try {
      await fn(n);
      if (opts.echo !== false) out(ctx, `${n}\n`);
    } catch (e) {
      failed = true;
      err(ctx, `${describeError(e)}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Docker's prefix for errors the daemon returned. */
export function describeError(e: unknown): string {
  const status = (e as { statusCode?: number }).statusCode;
  const message = e instanceof Error ? e.message : String(e);
  return typeof status === 'number' ? `Error response from daemon: ${message}` : message;
}
