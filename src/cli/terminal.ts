// The local terminal for -t: raw mode while attached, and size changes forwarded.
import type { CliContext } from './context.js';

export interface TerminalSession { restore(): void }

/** Puts stdin in raw mode when it is a TTY; restore() puts it back (also on exit). */
export function rawTerminal(): TerminalSession {
  const stdin = process.stdin;
  if (!stdin.isTTY) return { restore: () => undefined };
  stdin.setRawMode(true);
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
