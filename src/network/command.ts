// Runs the host's networking tools (iproute2 `ip`, `nft`, `sysctl`-free /proc writes are
// elsewhere). Failures become Unavailable with the tool's stderr, which names the problem
// ("RTNETLINK answers: File exists", an nft syntax error with its line).

import { spawn } from 'node:child_process';
import { Unavailable } from '../errdefs/index.js';

export interface CommandOptions {
  /** Written to the tool's stdin (e.g. an nft script for `nft -f -`). */
  input?: string;
  /** Names the command in errors instead of its file and args (a `sh -c` script's). */
  label?: string;
}

export function runTool(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Unavailable(`${file}: ${e.message}`, { cause: e })));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else {
        const text = Buffer.concat(err).toString('utf8').trim();
        reject(new Unavailable(`${opts.label ?? `${file} ${args.join(' ')}`}: ${text || `exit status ${code}`}`));
      }
    });
    if (child.stdin) {
      // A tool that exits before reading its input reports through its exit status.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}

/** `ip -j …` parsed. */
export async function ipJson<T>(args: readonly string[]): Promise<T> {
  const text = await runTool('ip', ['-j', ...args]);
  return (text.trim() ? JSON.parse(text) : []) as T;
}
