// Printing a JSON-lines progress stream the way docker does when stdout is not a terminal:
// one line per message (`stream` text as is, `status` with its id).
import type { Readable } from 'node:stream';
import { followProgress } from '../client/jsonstream.js';
import type { Writable } from 'node:stream';

export async function printProgress(stream: Readable, w: Writable): Promise<void> {
  await followProgress(stream, (m) => {
    if (m.stream !== undefined) w.write(m.stream);
    else if (m.status !== undefined) w.write(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
  });
}

/**
 * Pull/push progress as docker renders it: on a terminal, one line per layer ID redrawn
 * in place with its bar; otherwise one line per status, bars left out. `quiet` prints
 * nothing but still fails on an error line.
 */
export async function renderProgress(stream: Readable, w: Writable, o: { quiet?: boolean } = {}): Promise<void> {
  const tty = (w as { isTTY?: boolean }).isTTY === true;
  const lines = new Map<string, number>();
  await followProgress(stream, (m) => {
    if (o.quiet || m.aux !== undefined) return;
    if (!tty) {
      if (m.progress) return;
      if (m.stream !== undefined) w.write(m.stream);
      else if (m.status !== undefined) w.write(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      return;
    }
    const text = `${m.id ? `${m.id}: ` : ''}${m.status ?? m.stream ?? ''}${m.progress ? ` ${m.progress}` : ''}`;
    if (!m.id) {
      lines.clear();
      w.write(`${text.replace(/\n$/, '')}\n`);
      return;
    }
    let line = lines.get(m.id);
    if (line === undefined) {
      line = lines.size;
      lines.set(m.id, line);
      w.write('\n');
    }
    const up = lines.size - line;
    // Up to the layer's line, clear it, write, and back down.
    w.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`);
  });
}
