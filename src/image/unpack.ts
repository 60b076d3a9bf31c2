// Layer unpacking off the main thread. The rules an unpack follows (and the safety of a
// hostile tar) live in unpack-core.ts; this file gives callers a writable for the tar
// bytes and runs the core on a worker thread (unpack-worker.ts), one unpack per worker at
// a time, so several layers unpack in parallel on several cores and the daemon's main
// thread only copies bytes. Why: during a pull the main thread was the bottleneck, most of
// it spent waking thread-pool threads for one cheap fs call after another.
//
// Lifecycle of one unpack: createUnpacker takes an idle worker (or starts one), sends
// 'start'; every chunk written is copied and sent, with at most HIGH_WATER bytes unparsed
// in flight (backpressure); ending the writable sends 'end'; destroying it sends 'abort'.
// `done` settles once the worker reports — after its last file system call in dest — and
// the worker then goes back to the idle pool (unref'd: it never keeps the process alive;
// idle ones exit after IDLE_MS). A worker that dies fails its unpack and is not reused.

import { Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { Internal } from '../errdefs/index.js';
import { entryComponents } from '../archive/tar-names.js';
import type { UnpackResult } from './unpack-core.js';
import { fromWire, type WireError } from './unpack-errors.js';
import type { ToWorker } from './unpack-worker.js';

export { entryComponents };

/** Beside this file in out/ (tsc) and in dist/ (scripts/build.mjs bundles it as its own entry). */
const WORKER_URL = new URL('./unpack-worker.js', import.meta.url);
/** Unparsed bytes in flight to one worker before writes wait. */
const HIGH_WATER = 4 << 20;
/** Idle workers kept for the next unpack (a pull unpacks 3 layers at a time by default). */
const MAX_IDLE = 4;
/** An idle worker exits after this long unused (each holds ~10 MB). */
const IDLE_MS = 30_000;

type FromWorker = { type: 'ack'; job: number; n: number } | { type: 'done'; size: number } | { type: 'error'; error: WireError };

/** Numbers each unpack: an ack of bytes an earlier, failed unpack had in flight is ignored. */
let jobs = 0;

/** An idle worker, with the listeners it has while idle (removed by name: see `detach`). */
interface Idle {
  worker: Worker;
  timer: NodeJS.Timeout;
  onGone: () => void;
}
const idle: Idle[] = [];

/**
 * Removes listeners one by one. Never `removeAllListeners()` on a Worker: it also drops
 * node's own newListener/removeListener hooks that start the worker's message port when
 * a 'message' listener is added, and the next unpack would wait for messages forever.
 */
function detach(worker: Worker, listeners: Partial<Record<'message' | 'error' | 'exit', (...args: never[]) => void>>): void {
  for (const [event, fn] of Object.entries(listeners)) worker.off(event, fn as (...args: unknown[]) => void);
}

function takeWorker(): Worker {
  const w = idle.pop();
  if (!w) return new Worker(WORKER_URL);
  clearTimeout(w.timer);
  detach(w.worker, { error: w.onGone, exit: w.onGone });
  w.worker.ref();
  return w.worker;
}

function giveBack(worker: Worker): void {
  worker.unref();
  if (idle.length >= MAX_IDLE) {
    void worker.terminate();
    return;
  }
  const entry: Idle = {
    worker,
    timer: setTimeout(() => void worker.terminate(), IDLE_MS).unref(),
    // A worker that dies or is terminated while idle just leaves the pool.
    onGone: () => {
      const i = idle.indexOf(entry);
      if (i >= 0) idle.splice(i, 1);
    },
  };
  worker.on('error', entry.onGone).on('exit', entry.onGone);
  idle.push(entry);
}

/** The writable end of one unpack: forwards tar bytes to its worker. */
class WorkerSink extends Writable {
  private inflight = 0;
  private waiting?: () => void;
  private settled = false;

  constructor(
    private readonly worker: Worker,
    private readonly job: number,
  ) {
    super({ highWaterMark: 1 << 20 });
    // Failures are reported through `done`; a writer that gets destroyed must not crash the process.
    this.on('error', () => undefined);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.settled) return cb();
    // A copy of its own: a chunk is usually a view into a larger buffer others still read
    // (the blob writer's tee), so it can be neither transferred nor cloned cheaply.
    const copy = new Uint8Array(chunk.length);
    copy.set(chunk);
    this.inflight += copy.length;
    this.worker.postMessage({ type: 'data', job: this.job, chunk: copy } satisfies ToWorker, [copy.buffer]);
    if (this.inflight < HIGH_WATER) cb();
    else this.waiting = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.settled) this.worker.postMessage({ type: 'end' } satisfies ToWorker);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.settled) this.worker.postMessage({ type: 'abort', message: err?.message ?? 'unpack cancelled' } satisfies ToWorker);
    this.release();
    cb(err);
  }

  acked(n: number): void {
    this.inflight -= n;
    if (this.inflight < HIGH_WATER) this.release();
  }

  /** The worker answered: nothing more goes to it from this unpack. */
  settle(): void {
    this.settled = true;
    this.release();
  }

  private release(): void {
    const cb = this.waiting;
    this.waiting = undefined;
    cb?.();
  }
}

/**
 * Returns a writable that takes tar bytes and a promise for the unpacked result; `dest`
 * must exist and be empty or this unpacker's alone. The promise rejects (InvalidArgument
 * naming the entry) on a hostile entry, or when the writable is destroyed before its end,
 * and settles only after the last file system call of this unpack.
 */
export function createUnpacker(dest: string): { writable: Writable; done: Promise<UnpackResult> } {
  const worker = takeWorker();
  const job = ++jobs;
  const sink = new WorkerSink(worker, job);
  const done = new Promise<UnpackResult>((resolve, reject) => {
    let over = false;
    const finish = (err: Error | undefined, size: number) => {
      if (over) return;
      over = true;
      sink.settle();
      if (err) {
        // Stop the bytes still coming; the worker itself is idle again (or gone).
        if (!sink.destroyed) sink.destroy();
        reject(err);
      } else resolve({ size });
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ack') {
        if (m.job === job) sink.acked(m.n);
        return;
      }
      detach(worker, listeners);
      giveBack(worker);
      finish(m.type === 'error' ? fromWire(m.error) : undefined, m.type === 'done' ? m.size : 0);
    };
    const onError = (err: Error) => {
      detach(worker, listeners);
      worker.on('error', () => undefined); // a second one must not crash the daemon
      void worker.terminate();
      finish(new Internal(`layer unpacker: ${err.message}`, { cause: err }), 0);
    };
    const onExit = (code: number) => {
      detach(worker, listeners);
      finish(new Internal(`layer unpacker exited (${code})`), 0);
    };
    const listeners = { message: onMessage, error: onError, exit: onExit };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  worker.postMessage({ type: 'start', dest } satisfies ToWorker);
  return { writable: sink, done };
}

/** Unpacks a whole tar stream into `dest` (which must exist). */
export async function unpackTar(src: Readable, dest: string): Promise<UnpackResult> {
  const { writable, done } = createUnpacker(dest);
  src.on('error', (err) => writable.destroy(err));
  src.pipe(writable);
  // A refused entry ends the unpack early: close the source (a blob file, a gunzip) too.
  return done.catch((err: unknown) => {
    src.destroy();
    throw err;
  });
}
