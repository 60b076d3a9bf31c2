// The HTTP/1.1 response side, as much as the Engine API needs: a status line and headers,
// then a body framed by Content-Length, chunked encoding, or the end of the connection.
// Pure functions and a push-style body decoder, so the socket handling in transport.ts
// stays small and this part is unit-tested on byte sequences.

export interface ResponseHead {
  statusCode: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** False when the server will close the connection after this response. */
  keepAlive: boolean;
}

/** Parses the head if `buf` holds all of it: returns it and where the body starts, else undefined. */
export function parseHead(buf: Buffer): { head: ResponseHead; bodyStart: number } | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new Error(`malformed HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const conn = (headers.connection ?? '').toLowerCase();
  const keepAlive = m[1] === '1' ? !conn.includes('close') : conn.includes('keep-alive');
  return { head: { statusCode: Number(m[2]), headers, keepAlive }, bodyStart: end + 4 };
}

/**
 * Splits a body out of the bytes of a connection. `push` returns the bytes that belong to
 * the body (possibly none) and whether the body is complete; bytes after the end of the
 * body are reported as `rest` (a server should send none before our next request).
 */
export interface BodyDecoder {
  push(chunk: Buffer): { data: Buffer[]; done: boolean; rest?: Buffer };
  /** The connection ended: true when that is a valid end of this body. */
  endOk(): boolean;
}

/** Which framing a response uses; `method` matters because HEAD responses have no body. */
export function bodyDecoder(head: ResponseHead, method: string): BodyDecoder {
  const s = head.statusCode;
  if (method === 'HEAD' || s === 204 || s === 304 || (s >= 100 && s < 200)) return lengthDecoder(0);
  if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) return new ChunkedDecoder();
  const len = head.headers['content-length'];
  if (len !== undefined) return lengthDecoder(Number(len));
  return { push: (chunk) => ({ data: [chunk], done: false }), endOk: () => true };
}

function lengthDecoder(total: number): BodyDecoder {
  let left = total;
  return {
    push(chunk) {
      if (chunk.length <= left) { left -= chunk.length; return { data: chunk.length ? [chunk] : [], done: left === 0 }; }
      const data = chunk.subarray(0, left);
      const rest = chunk.subarray(left);
      left = 0;
      return { data: data.length ? [data] : [], done: true, rest };
    },
    endOk: () => left === 0,
  };
}

/** RFC 9112 §7.1 chunked transfer coding; extensions and trailers are read and ignored. */
class ChunkedDecoder implements BodyDecoder {
  private pending = Buffer.alloc(0);
  /** Bytes of chunk data still to come, then its CRLF; -1 while reading a size line. */
  private left = -1;
  private inTrailers = false;

  push(chunk: Buffer): { data: Buffer[]; done: boolean; rest?: Buffer } {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const data: Buffer[] = [];
    for (;;) {
      if (this.left > 0) {
        const n = Math.min(this.left, buf.length);
        if (n) data.push(buf.subarray(0, n));
        this.left -= n;
        buf = buf.subarray(n);
        if (this.left > 0) break;
        this.left = -2; // the CRLF after the data
      }
      const nl = buf.indexOf('\r\n');
      if (nl < 0) break;
      const line = buf.toString('latin1', 0, nl);
      buf = buf.subarray(nl + 2);
      if (this.left === -2) { this.left = -1; continue; }
      if (this.inTrailers) {
        if (line === '') { this.pending = Buffer.alloc(0); return { data, done: true, rest: buf.length ? buf : undefined }; }
        continue;
      }
      const size = parseInt(line, 16);
      if (Number.isNaN(size)) throw new Error(`malformed chunk size ${JSON.stringify(line.slice(0, 20))}`);
      if (size === 0) this.inTrailers = true;
      else this.left = size;
    }
    this.pending = Buffer.from(buf);
    return { data, done: false };
  }

  endOk(): boolean { return false; }
}
