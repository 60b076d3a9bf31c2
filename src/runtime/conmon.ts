// Starting conmon and talking to it over its pipes.
//
// conmon double-forks: the process we spawn exits at once and the monitor lives on,
// reparented, with no tie to wharfd, which is what lets containers outlive a wharfd
// restart. Messages come back as JSON lines on inherited fds:
//   _OCI_SYNCPIPE    {"data": pid} once the runtime created the process, or
//                    {"data": -1, "message": "..."} on failure; for an exec a second line
//                    {"data": exitCode} when it ends.
//   _OCI_STARTPIPE   (exec) conmon waits for a write before starting, and — with
//                    --exec-attach — for a second one before running `runc exec`, so we
//                    can connect to the attach socket first and lose no output.
//   _OCI_ATTACHPIPE  (exec --exec-attach) {"data": 0} once the attach socket listens.

import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { Internal, InvalidArgument } from '../errdefs/index.js';
import { runtimeMessage } from './runc.js';

export interface ConmonMessage {
  data: number;
  message?: string;
}

export interface SpawnedConmon {
  /** Messages from _OCI_SYNCPIPE, in order. */
  sync: MessageReader;
  /** Present when spawned with { exec: true }. */
  start?: Writable;
  attach?: MessageReader;
  /** conmon's own stderr (the parent's, before it detaches), for error messages. */
  stderr(): string;
  /** Resolves when the process we spawned (conmon's first process) has exited and been reaped. */
  parentExited: Promise<void>;
}

/**
 * `cwd`: conmon writes files there (its `oom` marker on cgroup v1, whatever the persist
 * dir), so it runs in the bundle (or exec) dir, as CRI-O runs it.
 */
export function spawnConmon(conmonPath: string, args: string[], opts: { exec: boolean; cwd: string }): SpawnedConmon {
  const extra = opts.exec ? 3 : 1;
  const env: NodeJS.ProcessEnv = { ...process.env, _OCI_SYNCPIPE: '3' };
  if (opts.exec) Object.assign(env, { _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' });
  const child = spawn(conmonPath, args, {
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(extra).fill('pipe')],
    env,
  });
  let stderr = '';
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 64 * 1024) stderr += s;
  });
  const parentExited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => {
      stderr += `\n${err.message}`;
      resolve();
    });
  });
  child.unref();
  const fds = child.stdio as unknown as (Readable & Writable)[];
  const sync = new MessageReader(fds[3]);
  return {
    sync,
    start: opts.exec ? fds[4] : undefined,
    attach: opts.exec ? new MessageReader(fds[5]) : undefined,
    stderr: () => stderr.trim(),
    parentExited,
  };
}

/** Reads newline-terminated JSON messages from one of conmon's pipes. */
export class MessageReader {
  private buf = '';
  private queue: ConmonMessage[] = [];
  private waiters: ((m: ConmonMessage | undefined) => void)[] = [];
  private closed = false;

  constructor(private readonly stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
    stream.on('end', () => this.onClose());
    stream.on('close', () => this.onClose());
    stream.on('error', () => this.onClose());
    // Our end of the pipe keeps the process alive only while someone waits on it.
    this.setRef(false);
  }

  private setRef(on: boolean): void {
    const s = this.stream as Readable & { ref?: () => void; unref?: () => void };
    if (on) s.ref?.();
    else s.unref?.();
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (line !== '') this.push(parseMessage(line));
    }
  }

  private push(m: ConmonMessage): void {
    const w = this.waiters.shift();
    if (this.waiters.length === 0) this.setRef(false);
    if (w) w(m);
    else this.queue.push(m);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.buf.trim() !== '') this.push(parseMessage(this.buf.trim()));
    this.buf = '';
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** The next message, or undefined when conmon closed the pipe without one. */
  next(): Promise<ConmonMessage | undefined> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.closed) return Promise.resolve(undefined);
    this.setRef(true);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.stream.destroy();
  }
}

/** conmon 2.1.6 does not escape the message; fall back to picking the fields out. */
export function parseMessage(line: string): ConmonMessage {
  try {
    const v = JSON.parse(line) as { data?: unknown; message?: unknown };
    if (typeof v.data === 'number') return { data: v.data, ...(typeof v.message === 'string' ? { message: v.message } : {}) };
  } catch {
    // fall through
  }
  const data = /"data"\s*:\s*(-?\d+)/.exec(line);
  const message = /"message"\s*:\s*"([\s\S]*)"\s*}\s*$/.exec(line);
  // conmon puts runc's stderr (with a raw newline) in the JSON, so JSON.parse fails: unescape by hand.
  return { data: data ? Number(data[1]) : -1, ...(message ? { message: message[1].replace(/\\(.)/g, '$1') } : { message: line }) };
}

/**
 * The error for a failed create or exec. A missing or non-executable command is the
 * client's mistake (Docker answers 400 and the CLI exits 126/127); anything else is ours.
 */
export function startError(what: string, message: string): Error {
  const text = `OCI runtime ${what} failed: ${runtimeMessage(message)}`;
  if (/executable file not found|no such file or directory|permission denied|not a directory/i.test(message)) return new InvalidArgument(text);
  return new Internal(text);
}
