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
