// Pumping a hijacked attach/exec connection: output demultiplexed (no TTY) or raw (TTY)
// to our stdout/stderr, stdin copied in and half-closed at EOF so the container sees EOF
// while we keep reading its output.
import type { Duplex, Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../client/stdcopy.js';

export interface PumpOptions {
  tty: boolean;
  /** Copied to the container when set. */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** Resolves when the daemon closes the output side. Returns a daemon-side error message, if any. */
export function pump(conn: Duplex, o: PumpOptions): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const dec = o.tty ? undefined : new FrameDecoder({ stdout: (b) => o.stdout.write(b), stderr: (b) => o.stderr.write(b) });
    conn.on('data', (chunk: Buffer) => (dec ? dec.push(chunk) : o.stdout.write(chunk)));
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      if (o.stdin) { o.stdin.unpipe(conn); o.stdin.pause(); }
      resolve(dec?.systemError);
    };
    conn.on('end', finish);
    conn.on('close', finish);
    conn.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? finish() : reject(e)));
    // A container with no output that exits at once (`run --rm busybox true`) can close the
    // connection while `start` is still answering, before we listen: 'end' already fired.
    if (conn.readableEnded || conn.destroyed) finish();
    // The transport hands hijacked connections over paused (so no output is lost before we
    // listen); a paused stream stays paused when a 'data' listener is added.
    else conn.resume();
    if (o.stdin) {
      o.stdin.on('data', (b: Buffer) => { if (!done) conn.write(b); });
      // Half-close: the container gets EOF on stdin, its output keeps coming.
      o.stdin.on('end', () => { if (!done) conn.end(); });
      o.stdin.resume();
    }
  });
}
