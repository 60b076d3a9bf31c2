// JSON-lines streams (import/load/pull progress, events): one JSON object per line.
import type { Readable } from 'node:stream';
import type { JsonMessage } from './types.js';
import { Internal } from '../errdefs/index.js';

/** The non-empty lines of a stream, trimmed (for callers that parse them their own way). */
export async function* textLines(stream: Readable): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of stream) {
    rest += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) yield line;
    }
  }
  if (rest.trim()) yield rest.trim();
}

export async function* jsonLines<T = unknown>(stream: Readable): AsyncGenerator<T> {
  for await (const line of textLines(stream)) yield JSON.parse(line) as T;
}

/** Drains a progress stream, calling `onMessage` per line; throws the first `error` line. */
export async function followProgress(stream: Readable, onMessage: (m: JsonMessage) => void): Promise<void> {
  for await (const m of jsonLines<JsonMessage>(stream)) {
    if (m.error || m.errorDetail) throw new Internal(m.errorDetail?.message ?? m.error ?? 'unknown error');
    onMessage(m);
  }
}
