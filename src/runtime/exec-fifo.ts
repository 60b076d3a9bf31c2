// Starting a created container is a handshake on the runtime's `exec.fifo`: after
// `create`, the container's init process waits, blocked opening `<root>/<id>/exec.fifo`
// for writing; `runc start` opens it for reading, reads the byte init writes just before
// it execs the user's process, and removes the fifo (the runtime tells "created" from
// "running" by whether it is still there). crun keeps the same fifo. wharfd does the
// reader's part itself: a runtime process less on every start, about 6 ms of each `run`
// and each build RUN on this kind of machine. Without the fifo (another runtime, an
// older layout) the caller falls back to the runtime's own `start`.
import { constants, openSync, promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { errnoCode, Internal } from '../errdefs/index.js';

/** How often the wait checks that init is still alive (runc's own interval). */
const LIVENESS_POLL_MS = 100;

/**
 * Lets the container's init exec its process. Resolves true once it has, false when the
 * runtime keeps no exec.fifo for the container (nothing was done).
 */
export async function startThroughExecFifo(runtimeRoot: string, id: string, initPid: number): Promise<boolean> {
  const fifo = path.join(runtimeRoot, id, 'exec.fifo');
  let fd: number;
  try {
    // Non-blocking: opening for reading never waits for a writer, so an init that died
    // before it opened its end cannot hang the daemon (the poll below notices it).
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  await readHandshake(new net.Socket({ fd, readable: true, writable: false }), initPid);
  await fs.unlink(fifo).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
  return true;
}

/** Waits for init's byte; fails if init ends without writing it. */
function readHandshake(sock: net.Socket, initPid: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = false;
    const finish = (err?: Error) => {
      clearInterval(poll);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    // The byte comes just before init execs; its end of the fifo closes with the exec.
    sock.on('data', (chunk: Buffer) => {
      if (chunk.length > 0) got = true;
    });
    sock.on('end', () => finish(got ? undefined : new Internal('container process is already dead')));
    sock.on('error', (err) => finish(new Internal(`starting the container: reading its exec fifo: ${err.message}`, { cause: err })));
    // An init that dies before opening its end never wakes the reader: poll, as runc does.
    const poll = setInterval(() => {
      if (!got && !alive(initPid)) finish(new Internal('container process is already dead'));
    }, LIVENESS_POLL_MS);
  });
}

/** Running and not a zombie (its reaper may not have got to it yet). */
function alive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
