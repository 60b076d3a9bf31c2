// The worker thread behind unpack.ts: receives one layer tar at a time as chunks and
// unpacks it with unpack-core's synchronous calls. Messages (unpack.ts sends, this answers):
//   { type: 'start', dest }   a new unpack into dest (only when the previous one answered)
//   { type: 'data', job, chunk }  tar bytes (a transferred copy) → { type: 'ack', job, n } once taken in
//   { type: 'end' }           no more bytes                   → { type: 'done', size }
//   { type: 'abort', message } stop now                       → { type: 'error', error }
// 'done' or 'error' comes once per unpack, after its last file system call.
import { parentPort } from 'node:worker_threads';
import type { Writable } from 'node:stream';
import tar from 'tar-stream';
import { unpackEntries, type TarEntry } from './unpack-core.js';
import { toWire } from './unpack-errors.js';

export type ToWorker =
  | { type: 'start'; dest: string }
  | { type: 'data'; job: number; chunk: Uint8Array }
  | { type: 'end' }
  | { type: 'abort'; message: string };

const port = parentPort!;
/**
 * The unpack in progress. tar-stream's extract is a streamx stream: write() takes no
 * callback; it returns false when its buffer is full, then 'drain' says when to go on.
 */
let extract: Writable | undefined;
/** Acks held back until the extract drains. */
let held: Array<{ job: number; n: number }> = [];

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const ex = tar.extract();
      extract = ex as unknown as Writable;
      held = [];
      extract.on('drain', () => {
        for (const a of held) port.postMessage({ type: 'ack', ...a });
        held = [];
      });
      // Take the iterator before any await: extract drops entries nobody listens for yet.
      const it = ex[Symbol.asyncIterator]() as unknown as AsyncIterator<TarEntry>;
      unpackEntries({ [Symbol.asyncIterator]: () => it }, m.dest).then(
        (r) => {
          extract = undefined;
          port.postMessage({ type: 'done', size: r.size });
        },
        (err: unknown) => {
          extract = undefined;
          ex.destroy();
          port.postMessage({ type: 'error', error: toWire(err) });
        },
      );
      break;
    }
    case 'data': {
      const n = m.chunk.byteLength;
      if (extract && !extract.destroyed && !extract.write(Buffer.from(m.chunk.buffer, m.chunk.byteOffset, n))) held.push({ job: m.job, n });
      else port.postMessage({ type: 'ack', job: m.job, n });
      break;
    }
    case 'end':
      extract?.end();
      break;
    case 'abort':
      extract?.destroy(new Error(m.message));
      break;
  }
});
