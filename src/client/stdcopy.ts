// Docker's multiplexed stream framing for non-TTY attach/logs/exec: an 8-byte header
// [stream, 0, 0, 0, size as big-endian uint32] before each payload. stream 0 = stdin,
// 1 = stdout, 2 = stderr, 3 = systemerr (an error message from the daemon).
import type { Readable } from 'node:stream';

export type StreamKind = 0 | 1 | 2 | 3;

export interface DemuxSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** Incremental decoder: feed chunks, get frames out in order. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Message of a systemerr frame, if one arrived. */
  systemError?: string;

  constructor(private readonly sinks: DemuxSinks) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0] as StreamKind;
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (kind === 2) this.sinks.stderr(payload);
      else if (kind === 3) this.systemError = (this.systemError ?? '') + payload.toString('utf8');
      else this.sinks.stdout(payload);
    }
  }
}

/** Reads a whole framed stream into the sinks; resolves at end of stream. */
export async function demuxStream(stream: Readable, sinks: DemuxSinks): Promise<FrameDecoder> {
  const dec = new FrameDecoder(sinks);
  for await (const chunk of stream) dec.push(chunk as Buffer);
  return dec;
}

/** Encodes one frame (used by tests and by anyone producing framed output). */
export function encodeFrame(kind: StreamKind, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head[0] = kind;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}
