// Docker's stdio multiplexing for non-TTY streams: each chunk is preceded by an 8-byte
// header [stream, 0, 0, 0, size (uint32 BE)], stream 0 stdin, 1 stdout, 2 stderr.
export type StdStream = 'stdin' | 'stdout' | 'stderr';

const STREAM_CODE: Record<StdStream, number> = { stdin: 0, stdout: 1, stderr: 2 };

export function frame(stream: StdStream, data: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = STREAM_CODE[stream];
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}
