// The local terminal for -t: raw mode while attached, and size changes forwarded.
import type { CliContext } from './context.js';

export interface TerminalSession { restore(): void }

/**
 * Puts the terminal in raw mode when stdin is a TTY; restore() puts it back (also on exit).
 * Node's raw mode (libuv's) leaves output post-processing on, so the container's own
 * "\r\n" (its pty already maps \n) would reach the screen as "\r\r\n"; docker's raw
 * mode (cfmakeraw) turns OPOST off. Node has no termios call, hence `stty -opost` on our
 * stdin, once per interactive session. libuv saved the original settings on the first
 * setRawMode and puts them all back, OPOST included, on setRawMode(false) and at exit.
 */
export async function rawTerminal(): Promise<TerminalSession> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return { restore: () => undefined };
  stdin.setRawMode(true);
  const { spawnSync } = await import('node:child_process'); // only -it pays for it
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  const restore = (): void => { try { stdin.setRawMode(false); } catch { /* already closed */ } };
  process.once('exit', restore);
  return { restore };
}

/** Sends the current size now and on every SIGWINCH; returns the unsubscribe function. */
export function forwardResize(ctx: CliContext, resize: (size: { h: number; w: number }) => Promise<void>): () => void {
  const out = process.stdout;
  if (!out.isTTY) return () => undefined;
  const send = (): void => { resize({ h: out.rows, w: out.columns }).catch(() => undefined); void ctx; };
  send();
  out.on('resize', send);
  return () => out.off('resize', send);
}

export function consoleSize(): [number, number] | undefined {
  const out = process.stdout;
  return out.isTTY ? [out.rows, out.columns] : undefined;
}
