// ADD <http(s) url>: the daemon downloads the file into a build temp dir, as Docker's
// classic builder does (builder/dockerfile/copy.go, downloadSource): the name comes from
// the URL's path, else from Content-Disposition, else none ("__unnamed__", usable only
// with a destination that is not a directory); the file is 0600, its mtime the
// Last-Modified header's or the Unix epoch; it is never unpacked, even when it is a tar.
// HTTP errors keep Docker's wording ("failed to GET <url> with status 404 Not Found: <body>").
// `--checksum=<algo>:<hex>` (BuildKit's flag, an extension here: the classic builder
// refuses it) is checked against the bytes received, with BuildKit's wording on mismatch.
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgument, NotFound, Unavailable, withContext } from '../errdefs/index.js';

/** The bytes received do not match `--checksum`: BuildKit's message, no "ADD failed:" before it. */
export class ChecksumMismatch extends InvalidArgument {}

/** Docker's urlutil.IsURL for ADD sources: only http and https are downloaded. */
export function isRemoteUrl(src: string): boolean {
  return /^https?:\/\//i.test(src);
}

export interface RemoteFile {
  url: string;
  /** The host path of the downloaded file. */
  host: string;
  /** The file name from the URL or Content-Disposition; "" when neither gives one. */
  name: string;
}

const HASHES: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Checks a `--checksum` value's form; returns it (BuildKit's go-digest errors otherwise). */
export function parseChecksum(value: string): { algorithm: string; hex: string } {
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) throw new InvalidArgument('invalid checksum digest format');
  const algorithm = value.slice(0, i);
  const hex = value.slice(i + 1);
  if (!(algorithm in HASHES)) throw new InvalidArgument('unsupported digest algorithm');
  if (hex.length !== HASHES[algorithm] || !/^[0-9a-f]+$/.test(hex)) throw new InvalidArgument('invalid checksum digest format');
  return { algorithm, hex };
}

/** Go's getFilenameForDownload: the URL path's base name, else Content-Disposition's filename. */
function fileNameFor(url: URL, disposition: string | null): string {
  let p = url.pathname;
  try {
    p = decodeURIComponent(p);
  } catch {
    // keep the raw path
  }
  if (p !== '' && p !== '/' && !p.endsWith('/')) return path.posix.basename(p);
  const m = disposition ? /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition) : null;
  const given = m ? (m[1] ?? m[2]).replace(/\\(.)/g, '$1') : '';
  return given && !given.endsWith('/') ? path.posix.basename(given) : '';
}

/** Go's net/http wording for a failed request, where we can tell the cause. */
function requestError(url: string, err: unknown): Error {
  const cause = (err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException);
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return new Unavailable(`Get "${url}": dial tcp ${host.includes(':') ? `[${host}]` : host}:${port}: connect: connection refused`);
    case 'ENOTFOUND':
      return new NotFound(`Get "${url}": dial tcp: lookup ${host}: no such host`);
    default:
      return new Unavailable(`Get "${url}": ${cause?.message ?? String(err)}`);
  }
}

/** A GET that follows up to 10 redirects, as Go's http.Get does (and no port is off limits, unlike fetch). */
function get(url: string, signal: AbortSignal, hops = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { signal }, (res) => {
      const to = res.headers.location;
      if (to && [301, 302, 303, 307, 308].includes(res.statusCode ?? 0)) {
        res.resume();
        if (hops >= 10) return reject(new Unavailable(`Get "${url}": stopped after 10 redirects`));
        return resolve(get(new URL(to, url).toString(), signal, hops + 1));
      }
      resolve(res);
    });
    req.on('error', (err) => reject(requestError(url, err)));
  });
}

const ERROR_BODY_MAX = 64 * 1024;

/**
 * Downloads `url` into a new directory under `tmpDir` (the caller removes `dirOf(file)`
 * with the rest of its temp dirs). `checksum`, when given, must match the bytes.
 */
async function downloadRemote(
  url: string,
  o: { tmpDir: string; signal: AbortSignal; checksum?: string; progress?: (p: { current: number; total?: number }) => void },
): Promise<RemoteFile> {
  const want = o.checksum !== undefined ? parseChecksum(o.checksum) : undefined;
  const res = await get(url, o.signal);
  const status = res.statusCode ?? 0;
  if (status >= 400) {
    // The error page names the problem; only its start is kept (a server may send a lot).
    const chunks: Buffer[] = [];
    let kept = 0;
    for await (const c of res) {
      if (kept < ERROR_BODY_MAX) chunks.push((c as Buffer).subarray(0, ERROR_BODY_MAX - kept));
      kept += (c as Buffer).length;
    }
    const body = Buffer.concat(chunks).toString('utf8').trim();
    const msg = `failed to GET ${url} with status ${status} ${res.statusMessage || STATUS_CODES[status] || ''}: ${body}`;
    if (status === 404) throw new NotFound(msg);
    if (status === 400) throw new InvalidArgument(msg);
    throw new Unavailable(msg);
  }
  const name = fileNameFor(new URL(url), header(res, 'content-disposition'));
  const dir = await fs.mkdtemp(path.join(o.tmpDir, 'remote-'));
  const host = path.join(dir, name || '__unnamed__');
  const hash = createHash(want?.algorithm ?? 'sha256');
  const length = Number(header(res, 'content-length') ?? '');
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  let current = 0;
  let reported = 0;
  // Docker's progress reader: an update every 512 KiB and one at the end.
  const report = () => {
    reported = current;
    o.progress?.({ current, total });
  };
  const tee = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      current += chunk.length;
      if (current - reported >= 512 * 1024) report();
      cb(null, chunk);
    },
    flush(cb) {
      report();
      cb();
    },
  });
  try {
    await pipeline(res, tee, createWriteStream(host, { mode: 0o600, flags: 'wx' }), { signal: o.signal });
    await fs.chmod(host, 0o600); // the umask may have taken bits; Docker's file is exactly 0600
    const got = hash.digest('hex');
    if (want && got !== want.hex) throw new ChecksumMismatch(`digest mismatch for ${url}: ${want.algorithm}:${got} (expected: ${o.checksum})`);
    // Last-Modified, else the epoch (Docker sets the zero time, which its Chtimes clamps to the epoch).
    const lastModified = Date.parse(header(res, 'last-modified') ?? '');
    const mtime = new Date(Number.isNaN(lastModified) ? 0 : lastModified);
    await fs.utimes(host, mtime, mtime);
  } catch (err) {
    res.destroy();
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { url, host, name };
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] ?? null : v ?? null;
}

/**
 * COPY/ADD's checks on URL sources before anything is fetched (Docker's words; BuildKit's for
 * `--checksum`); returns the URLs among `srcs`.
 */
export function checkRemoteSources(o: { cmd: 'COPY' | 'ADD'; srcs: Array<string | object>; checksum?: string }): string[] {
  const urls = o.srcs.filter((s): s is string => typeof s === 'string' && isRemoteUrl(s));
  if (urls.length && o.cmd === 'COPY') throw new InvalidArgument("COPY failed: source can't be a URL for COPY");
  if (o.checksum !== undefined) {
    if (o.srcs.length !== 1) throw new InvalidArgument("checksum can't be specified for multiple sources");
    if (!urls.length) throw new InvalidArgument('checksum requires HTTP(S) or Git sources');
    parseChecksum(o.checksum);
  }
  return urls;
}

/**
 * Downloads the URL sources of an ADD, in order, into temp dirs it appends to `tmpDirs` (the
 * caller removes them); other sources pass through. Each download's end prints one empty
 * line, as Docker's does (its progress bar's end).
 */
export async function downloadSources<T>(
  srcs: Array<string | T>,
  o: { cmd: string; checksum?: string; tmpDir: string; tmpDirs: string[]; signal: AbortSignal; out: { stream(s: string): void; progress?: (p: { current: number; total?: number }) => void } },
): Promise<Array<string | T | { remote: RemoteFile }>> {
  const out: Array<string | T | { remote: RemoteFile }> = [];
  for (const s of srcs) {
    if (typeof s !== 'string' || !isRemoteUrl(s)) {
      out.push(s);
      continue;
    }
    const file = await downloadRemote(s, { tmpDir: o.tmpDir, signal: o.signal, checksum: o.checksum, progress: o.out.progress }).catch((err: unknown) => {
      throw err instanceof ChecksumMismatch ? err : withContext(err, `${o.cmd} failed`);
    });
    o.tmpDirs.push(path.dirname(file.host));
    o.out.stream('\n');
    out.push({ remote: file });
  }
  return out;
}
