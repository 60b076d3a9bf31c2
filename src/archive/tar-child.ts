// The output of a GNU tar child process as a stream that ends only if tar exits well. A
// tar that fails halfway (a file it cannot read) still writes the end-of-archive blocks,
// so its raw stdout would look like a whole archive: here the stream errors instead, and
// whoever relays it (an HTTP response) must cut the connection so the client sees a
// failed transfer, not a short archive.
import type { ChildProcess } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { Internal } from '../errdefs/index.js';

export interface TarOutput {
  stream: Readable;
  /** Resolves when tar has exited, with whether it went well and its stderr. */
  done: Promise<{ ok: boolean; stderr: string }>;
  /** Stops tar and drops unread output (the reader is gone); not counted as a failure. Call it when done. */
  kill(): void;
}

/** `child` must have been spawned with stdout and stderr piped; `what` names the archive in errors. */
export function tarOutput(child: ChildProcess, what: string): TarOutput {
  let stderr = '';
  let killed = false;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stream = new PassThrough();
  child.stdout!.pipe(stream, { end: false });
  const done = new Promise<{ ok: boolean; stderr: string }>((resolve) => {
    let settled = false;
    const finish = (ok: boolean, why: string) => {
      if (settled) return;
      settled = true;
      if (stream.destroyed) {
        // killed: nobody reads any more
      } else if (ok) stream.end();
      else stream.destroy(new Internal(`archiving ${what}: ${why || 'tar failed'}`));
      resolve({ ok, stderr: why });
    };
    // Exit 1 is "some files differed/changed as we read them" (a running container).
    // 'close' comes after stdout's end, so every byte is in `stream` before it ends.
    child.on('close', (code) => finish(code === 0 || code === 1 || killed, stderr.trim()));
    child.on('error', (err) => finish(false, err.message));
  });
  return {
    stream,
    done,
    kill: () => {
      killed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // 'close' waits for stdout to end, and a stdout nobody drains (the reader hung up
      // with data in flight) never does: drop what is left.
      child.stdout!.destroy();
      stream.destroy();
    },
  };
}
