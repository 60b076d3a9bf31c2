// Shared pieces of the container-command integration tests: run one case with the docker
// CLI and with wharf's CLI (same expectations, the program name aside), track the
// containers a test makes so it can remove them, and poll for asynchronous state.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TARGET, type RunResult, type TestDaemon } from './harness.js';
import type { ContainerState } from '../../src/contract/index.js';

export type Cli = 'docker' | 'wharf';

/** Against a real Docker Engine only its own CLI is meaningful. */
export const CLIS: Cli[] = TARGET === 'docker' ? ['docker'] : ['docker', 'wharf'];

export interface RunOpts {
  input?: string | Buffer;
  timeoutMs?: number;
}

export function cli(d: TestDaemon, which: Cli, args: string[], opts: RunOpts = {}): Promise<RunResult> {
  return which === 'docker' ? d.docker(args, opts) : d.wharf(args, opts);
}

export interface Expect {
  code?: number;
  /** Exact text, or a pattern; `{prog}` in a string stands for the CLI's name. */
  stdout?: string | RegExp;
  stderr?: string | RegExp;
}

function check(which: Cli, label: string, actual: string, want: string | RegExp | undefined): void {
  if (want === undefined) return;
  if (typeof want === 'string') assert.equal(actual, want.replaceAll('{prog}', which), label);
  else assert.match(actual, want, label);
}

/** Runs `args` with one CLI and checks exit code, stdout and stderr (stderr defaults to empty on success). */
export async function expectRun(d: TestDaemon, which: Cli, args: string[], want: Expect, opts: RunOpts = {}): Promise<RunResult> {
  const r = await cli(d, which, args, opts);
  const label = `${which} ${args.join(' ')}\nstdout: ${JSON.stringify(r.stdout)}\nstderr: ${JSON.stringify(r.stderr)}`;
  assert.equal(r.code, want.code ?? 0, `exit code of ${label}`);
  check(which, `stdout of ${label}`, r.stdout, want.stdout);
  check(which, `stderr of ${label}`, r.stderr, want.stderr ?? ((want.code ?? 0) === 0 ? '' : undefined));
  return r;
}

/** Runs a command that must succeed with an empty stderr; returns its stdout. */
export async function ok(d: TestDaemon, which: Cli, args: string[], opts: RunOpts = {}): Promise<string> {
  return (await expectRun(d, which, args, { code: 0 }, opts)).stdout;
}

/** Names unique to one test, and removal of every container they name (for `finally`). */
export class Scope {
  private readonly names: string[] = [];
  private readonly tag = randomBytes(3).toString('hex');

  constructor(private readonly d: TestDaemon) {}

  name(prefix: string): string {
    const n = `${prefix}-${this.tag}-${this.names.length}`;
    this.names.push(n);
    return n;
  }

  /** Tracks a container known by ID (one made without --name). */
  track(id: string): string {
    this.names.push(id.trim());
    return id.trim();
  }

  async cleanup(): Promise<void> {
    for (const n of this.names) await this.d.api('DELETE', `/containers/${n}?force=1`).catch(() => undefined);
  }
}

/** `fn` with a fresh scope whose containers are removed afterwards, pass or fail. */
export async function scoped(d: TestDaemon, fn: (s: Scope) => Promise<void>): Promise<void> {
  const s = new Scope(d);
  try {
    await fn(s);
  } finally {
    await s.cleanup();
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The container's State as inspect shows it (the API contract's type). */
export type InspectState = ContainerState;

/** The container's inspect JSON through the API (not through a CLI under test). */
export async function inspect(d: TestDaemon, ref: string): Promise<{ Id: string; Name: string; State: InspectState; Config: Record<string, unknown>; HostConfig: Record<string, unknown>; [k: string]: unknown }> {
  const r = await d.api('GET', `/containers/${ref}/json`);
  assert.equal(r.status, 200, `inspect ${ref}: ${r.text}`);
  return r.json as never;
}

export async function waitStatus(d: TestDaemon, ref: string, status: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(`${ref} to be ${status}`, async () => (await inspect(d, ref)).State.Status === status, timeoutMs);
}

/** Busybox's default PATH as Docker sets it when the image has none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
