// A thin wrapper over the OCI runtime's command line (runc; crun takes the same commands).
// Each method is one invocation; failures become errdefs errors with the runtime's own
// message, so the engine can add context without parsing stderr itself.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Conflict, Internal, NotFound } from '../errdefs/index.js';
import type { RuntimeState } from './types.js';

export interface RuncOptions {
  /** The runtime binary, e.g. /usr/sbin/runc. */
  runtimePath: string;
  /** `--root`: where the runtime keeps its state for wharf's containers. */
  root: string;
}

export interface RuncStateJson {
  id: string;
  pid: number;
  status: RuntimeState['status'];
  bundle?: string;
}

export class RuncCli {
  constructor(private readonly opts: RuncOptions) {}

  get runtimePath(): string {
    return this.opts.runtimePath;
  }

  get root(): string {
    return this.opts.root;
  }

  /** Runs `runtime --root ROOT ...args`; resolves with stdout. */
  run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.opts.runtimePath, ['--root', this.opts.root, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err) reject(runtimeError(args, stderr || err.message, err));
        else resolve(stdout);
      });
    });
  }

  async start(id: string): Promise<void> {
    await this.run(['start', id]);
  }

  async kill(id: string, signal: number, opts: { all?: boolean } = {}): Promise<void> {
    await this.run(['kill', ...(opts.all ? ['--all'] : []), id, String(signal)]);
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id]);
  }

  /** Idempotent: a container the runtime does not know is already deleted. */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    // runc and crun keep a directory per container under --root: without it there is
    // nothing to delete, and a process spawn (~8 ms) is saved on every start and rm.
    if (!existsSync(path.join(this.opts.root, id))) return;
    try {
      await this.run(['delete', ...(opts.force ? ['--force'] : []), id]);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }

  async state(id: string): Promise<RuncStateJson | undefined> {
    try {
      return JSON.parse(await this.run(['state', id])) as RuncStateJson;
    } catch (err) {
      if (err instanceof NotFound) return undefined;
      throw err;
    }
  }

  async list(): Promise<RuncStateJson[]> {
    const out = (await this.run(['list', '--format', 'json'])).trim();
    // runc prints "null" when it knows no containers.
    return out === '' ? [] : ((JSON.parse(out) as RuncStateJson[] | null) ?? []);
  }

  async ps(id: string): Promise<number[]> {
    const out = (await this.run(['ps', '--format', 'json', id])).trim();
    return out === '' ? [] : ((JSON.parse(out) as number[] | null) ?? []);
  }
}

/** runc logs `time="…" level=error msg="…"`; keep just the message. */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const msgs = lines.map((l) => /\bmsg="((?:[^"\\]|\\.)*)"/.exec(l)?.[1]?.replace(/\\(.)/g, '$1') ?? l.trim());
  return msgs.join('; ');
}

function runtimeError(args: string[], stderr: string, cause: unknown): Error {
  const message = runtimeMessage(stderr);
  const text = `runtime ${args[0]} failed: ${message}`;
  if (/does not exist|not found|no such file or directory/i.test(message) && !/exec/i.test(message)) return new NotFound(text, { cause });
  if (/not (running|paused|stopped)|is paused|is running|cannot (delete|kill)/i.test(message)) return new Conflict(text, { cause });
  return new Internal(text, { cause });
}
