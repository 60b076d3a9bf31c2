// Bounded container logs: `max-size` × `max-file`, held even while wharfd is down.
//
// conmon writes the log (`container.log`) and is the only rotator: with `--log-size-max`
// it replaces the file by a fresh one (open `.tmp`, rename over) before a write would pass
// the cap. It has no multi-file rotation, and its ctl-FIFO "reopen" does not reset its
// byte counter, so wharfd cannot rotate by itself without losing conmon's bookkeeping.
// Instead wharfd keeps history with a hard link:
//
//   container.log        current file (conmon's)
//   container.log.keep   hard link to the current file, made by wharfd
//   container.log.1 …    older files, newest first, at most max-file − 1 of them
//
// When conmon rotates, `.keep` is left holding the previous file; wharfd (`keepHistory`,
// polled while the container runs) shifts `.1 … ` up, moves `.keep` to `.1`, drops the
// oldest and links the new current file. If wharfd is down, the first rotation's file
// survives under `.keep` and later ones are dropped by conmon, so at most max-file + 1
// files exist; conmon's per-file cap is max-size × max-file / (max-file + 1), so the total
// never passes max-size × max-file.
import { promises as fs } from 'node:fs';
import { errnoCode } from '../errdefs/index.js';
import { readLogs, type LogRecord, type ReadLogsOptions } from './logs.js';

export interface LogLimits {
  /** Bytes per file (Docker's max-size). */
  maxSize: number;
  /** Files kept, the current one included (Docker's max-file, ≥ 1). */
  maxFile: number;
}

const KEEP = '.keep';

/** conmon's `--log-size-max` for these limits (see the file comment). */
export function conmonSizeMax(l: LogLimits): number {
  return l.maxFile > 1 ? Math.max(1, Math.floor((l.maxSize * l.maxFile) / (l.maxFile + 1))) : l.maxSize;
}

async function statOrUndefined(p: string) {
  try {
    return await fs.stat(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function shiftInto1(logPath: string, from: string, maxFile: number): Promise<void> {
  await fs.rm(`${logPath}.${maxFile - 1}`, { force: true });
  for (let j = maxFile - 2; j >= 1; j--) {
    await fs.rename(`${logPath}.${j}`, `${logPath}.${j + 1}`).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }
  await fs.rename(from, `${logPath}.1`);
}

/**
 * Makes the rotated files agree with what conmon did: a `.keep` that is no longer the
 * current file becomes `.1`, and the current file gets a fresh `.keep` link. Idempotent;
 * cheap when nothing changed (two stats).
 */
export async function keepHistory(logPath: string, limits: LogLimits): Promise<void> {
  const keepPath = `${logPath}${KEEP}`;
  const [cur, keep] = await Promise.all([statOrUndefined(logPath), statOrUndefined(keepPath)]);
  if (keep && (!cur || keep.ino !== cur.ino || keep.dev !== cur.dev)) {
    if (limits.maxFile > 1 && keep.size > 0) await shiftInto1(logPath, keepPath, limits.maxFile);
    else await fs.rm(keepPath, { force: true });
  }
  if (cur && limits.maxFile > 1 && (!keep || keep.ino !== cur.ino)) {
    await fs.link(logPath, keepPath).catch((err) => {
      // conmon rotated again meanwhile (EEXIST cannot happen: we just moved .keep away).
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'EEXIST') throw err;
    });
  }
}

/**
 * Before conmon starts for a (re)start: its byte counter begins at zero, so the current
 * file's content moves to `.1` (or is dropped with max-file 1) to keep the bound.
 */
export async function rotateBeforeStart(logPath: string, limits: LogLimits): Promise<void> {
  await keepHistory(logPath, limits);
  const cur = await statOrUndefined(logPath);
  if (!cur) return;
  if (cur.size === 0) return;
  if (limits.maxFile > 1) {
    await fs.rm(logPath, { force: true }); // `.keep` holds it now
    await keepHistory(logPath, limits);
  } else {
    await fs.rm(logPath, { force: true });
  }
}

/** The log files, oldest first, each file once (the current one last). */
export async function logFiles(logPath: string, maxFiles = 64): Promise<string[]> {
  const out: string[] = [];
  const seen = new Set<number>();
  const cur = await statOrUndefined(logPath);
  if (cur) seen.add(cur.ino);
  const older: string[] = [];
  const keep = await statOrUndefined(`${logPath}${KEEP}`);
  if (keep && !seen.has(keep.ino)) {
    older.push(`${logPath}${KEEP}`);
    seen.add(keep.ino);
  }
  for (let j = 1; j < maxFiles; j++) {
    const st = await statOrUndefined(`${logPath}.${j}`);
    if (!st) break;
    if (!seen.has(st.ino)) older.push(`${logPath}.${j}`);
    seen.add(st.ino);
  }
  out.push(...older.reverse());
  out.push(logPath);
  return out;
}

async function readAll(file: string, opts: ReadLogsOptions): Promise<LogRecord[]> {
  const recs: LogRecord[] = [];
  for await (const r of readLogs(file, { ...opts, follow: false, untilExited: undefined, tail: 'all' })) recs.push(r);
  return recs;
}

/**
 * `docker logs` over the rotated files in order. `--tail n` takes what the current file
 * lacks from the older ones; following continues in the current file (logs.ts follows
 * conmon's rotations).
 */
export async function* readRotatedLogs(logPath: string, opts: ReadLogsOptions): AsyncGenerator<LogRecord> {
  const files = await logFiles(logPath);
  const current = files.pop() as string;
  if (opts.tail === 'all') {
    for (const f of files) yield* readLogs(f, { ...opts, follow: false, untilExited: undefined });
    yield* readLogs(current, opts);
    return;
  }
  const all = { ...opts, stdout: true, stderr: true, since: undefined, until: undefined };
  let need = opts.tail;
  const curLines = files.length ? (await readAll(current, all)).length : need;
  if (curLines >= need) {
    yield* readLogs(current, opts);
    return;
  }
  need -= curLines;
  const older: LogRecord[][] = [];
  for (let i = files.length - 1; i >= 0 && need > 0; i--) {
    const recs = await readAll(files[i] as string, all);
    older.unshift(recs.slice(Math.max(0, recs.length - need)));
    need -= Math.min(need, recs.length);
  }
  const want = (r: LogRecord) => {
    const s = Date.parse(r.time) / 1000;
    return (r.stream === 'stdout' ? opts.stdout : opts.stderr) && (opts.since === undefined || s >= opts.since) && (opts.until === undefined || s <= opts.until);
  };
  for (const recs of older) for (const r of recs) if (want(r)) yield r;
  yield* readLogs(current, { ...opts, tail: 'all' });
}
