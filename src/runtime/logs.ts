// Reads conmon's k8s-file log with `docker logs` semantics.
//
// Each record is one line: `<RFC3339Nano time> <stdout|stderr> <F|P> <data>\n`. `P` marks
// a partial line (conmon's buffer filled, or the process wrote no newline yet): its data
// continues in the next record of the same stream, up to an `F` record that ends the line
// whose newline was stripped. We join them and give the newline back, as Docker's
// json-file driver keeps it; a line still partial when the process ended comes out
// without one, like Docker.

import { promises as fs, watch, type FSWatcher } from 'node:fs';
import { errnoCode } from '../errdefs/index.js';

export interface LogRecord {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano in UTC, e.g. 2026-11-24T00:09:08.814114080Z. */
  time: string;
  data: Buffer;
}

export interface ReadLogsOptions {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Unix seconds (fractional); records before it are skipped. */
  since?: number;
  /** Unix seconds (fractional); reading stops at the first record after it. */
  until?: number;
  /** Lines from the end, counted over both streams as Docker does; 'all' for everything. */
  tail: number | 'all';
  /** Accepted for symmetry with Docker's options; every record carries its time anyway. */
  timestamps?: boolean;
  /** In follow mode: resolves when the container has exited; the reader drains and ends. */
  untilExited?: Promise<void>;
  signal?: AbortSignal;
}

interface RawRecord {
  time: string;
  seconds: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  data: Buffer;
}

const CHUNK = 64 * 1024;
const POLL_MS = 250;

/** Parses one record (without its newline); undefined for a malformed line. */
export function parseRecord(line: Buffer): RawRecord | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line[s2 + 1];
  if (tag !== 0x46 /* F */ && tag !== 0x50 /* P */) return undefined;
  const tagEnd = s2 + 2;
  const data = line.subarray(Math.min(tagEnd + 1, line.length));
  const parsed = parseTime(line.toString('latin1', 0, s1));
  if (!parsed) return undefined;
  return { ...parsed, stream, partial: tag === 0x50, data };
}

/** `2026-11-24T00:09:08.814114080+00:00` → UTC RFC3339Nano and unix seconds. */
export function parseTime(text: string): { time: string; seconds: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  const seconds = whole / 1000 + Number(frac) / 1e9;
  const utc = new Date(whole).toISOString().slice(0, 19);
  return { time: `${utc}.${frac}Z`, seconds };
}

/**
 * Byte offset where the last `n` lines start. Reads backwards in chunks, so a tail of a
 * huge log costs what the tail costs. A line ends at an F record, or at the end of the
 * file if the last records are partial.
 */
export async function tailOffset(handle: fs.FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let ends = 0;
  let pos = size;
  let carry = Buffer.alloc(0); // bytes after `pos` not yet consumed as complete lines
  let atEnd = true;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const chunk = Buffer.alloc(len);
    await handle.read(chunk, 0, len, pos);
    let buf = Buffer.concat([chunk, carry]);
    // Walk complete lines from the back. A line is complete when a newline precedes it
    // (or it starts at offset 0).
    let lineEnd = buf.length;
    if (atEnd && buf[buf.length - 1] === 0x0a) lineEnd = buf.length - 1;
    for (;;) {
      const nl = buf.lastIndexOf(0x0a, lineEnd - 1);
      if (nl < 0 && pos > 0) break;
      const line = buf.subarray(nl + 1, lineEnd);
      const rec = parseRecord(line);
      if (rec) {
        if (!rec.partial || atEnd) {
          // The last line of the file ends a message even when partial.
          if (ends === n) return pos + nl + 1 + line.length + 1;
          ends++;
        }
        atEnd = false;
      }
      if (nl < 0) break;
      lineEnd = nl;
    }
    carry = buf.subarray(0, lineEnd);
    buf = carry;
  }
  return 0;
}

export async function* readLogs(file: string, opts: ReadLogsOptions): AsyncGenerator<LogRecord> {
  const signal = opts.signal;
  let handle: fs.FileHandle | undefined;
  let exited = !opts.follow;
  void opts.untilExited?.then(() => {
    exited = true;
    wake();
  });
  // A wake (new bytes, the exit, an abort) that comes while the loop is busy between its
  // checks is kept for the next sleep, which then returns at once instead of after a poll.
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    const w = wakeUp;
    wakeUp = undefined;
    if (w) w();
    else woken = true;
  };
  const nap = () => {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return sleep(POLL_MS, (w) => (wakeUp = w));
  };
  signal?.addEventListener('abort', wake, { once: true });
  let watcher: FSWatcher | undefined;
  const pending: Record<'stdout' | 'stderr', { time: string; parts: Buffer[] } | undefined> = { stdout: undefined, stderr: undefined };
  try {
    // Wait for the file to exist when following a container that has not logged yet.
    for (;;) {
      try {
        handle = await fs.open(file, 'r');
        break;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
        if (exited || signal?.aborted) return;
        await nap();
      }
    }
    const size = (await handle.stat()).size;
    let pos = opts.tail === 'all' ? 0 : await tailOffset(handle, size, opts.tail);
    try {
      watcher = watch(file, () => wake());
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined; // polling still works
    }
    let rest = Buffer.alloc(0);
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      if (signal?.aborted) return;
      const wasExited = exited;
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        let buf = rest.length ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : Buffer.from(chunk.subarray(0, bytesRead));
        let start = 0;
        let nl: number;
        while ((nl = buf.indexOf(0x0a, start)) >= 0) {
          const rec = parseRecord(buf.subarray(start, nl));
          start = nl + 1;
          if (!rec) continue;
          if (opts.until !== undefined && rec.seconds > opts.until) return;
          const out = joinPartial(pending, rec);
          if (!out) continue;
          if (opts.since !== undefined && rec.seconds < opts.since) continue;
          if ((out.stream === 'stdout' && opts.stdout) || (out.stream === 'stderr' && opts.stderr)) yield out;
        }
        rest = Buffer.from(buf.subarray(start));
        continue;
      }
      // At the end of what is written so far.
      if (!opts.follow || wasExited) break;
      const st = await handle.stat();
      if (st.size < pos) pos = 0; // truncated: start over
      if (st.size > pos) continue;
      // conmon rotated (renamed a new file over this one, see log-rotation.ts): this file
      // is read to its end (the read above came back empty), go on in the new one.
      const named = await fs.stat(file).catch(() => undefined);
      if (named && named.ino !== st.ino) {
        if ((await handle.stat()).size > pos) continue; // written just before the rename
        await handle.close();
        handle = await fs.open(file, 'r');
        pos = 0;
        rest = Buffer.alloc(0);
        watcher?.close();
        try {
          watcher = watch(file, () => wake());
          watcher.on('error', () => undefined);
        } catch {
          watcher = undefined;
        }
        continue;
      }
      await nap();
    }
    // Lines the process never finished: give them out without a newline.
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = pending[stream];
      if (!p) continue;
      if ((stream === 'stdout' && opts.stdout) || (stream === 'stderr' && opts.stderr)) yield { stream, time: p.time, data: Buffer.concat(p.parts) };
    }
  } finally {
    signal?.removeEventListener('abort', wake);
    watcher?.close();
    await handle?.close();
  }
}

function joinPartial(pending: Record<'stdout' | 'stderr', { time: string; parts: Buffer[] } | undefined>, rec: RawRecord): LogRecord | undefined {
  const p = pending[rec.stream];
  if (rec.partial) {
    if (p) p.parts.push(Buffer.from(rec.data));
    else pending[rec.stream] = { time: rec.time, parts: [Buffer.from(rec.data)] };
    return undefined;
  }
  pending[rec.stream] = undefined;
  const parts = p ? [...p.parts, rec.data, Buffer.from('\n')] : [rec.data, Buffer.from('\n')];
  return { stream: rec.stream, time: p?.time ?? rec.time, data: Buffer.concat(parts) };
}

function sleep(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      resolve();
    }
    register(done);
  });
}
