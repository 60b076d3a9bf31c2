// When asking a registry again is worth it, and how long to wait first. Shared by manifest
// fetches, blob downloads and uploads, so all three treat a busy registry alike.
import { isKind } from '../errdefs/index.js';

/** Attempts after the first one, for manifests and blobs (uploads: see upload.ts). */
export const DEFAULT_RETRIES = 5;
/** First wait (ms); doubled per attempt. */
export const DEFAULT_BACKOFF_MS = 200;
/** A Retry-After longer than this is not honoured: the pull fails instead of hanging. */
const MAX_RETRY_AFTER_MS = 30_000;

/** 408, 429 and 5xx may get better; other answers will not. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Transport failures: the connection broke, was refused or timed out. */
export function isTransient(err: unknown): boolean {
  if (isKind(err, 'unavailable')) return true;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNREFUSED|ERR_STREAM_PREMATURE_CLOSE|ECONNABORTED|HPE_)/.test(code);
}

/**
 * Waits before attempt `attempt + 1`: the server's Retry-After (seconds) when it gave one
 * we accept, else `base * 2^attempt`. Rejects when `signal` aborts.
 */
export function backoff(attempt: number, o: { baseMs: number; retryAfter?: string | string[]; signal?: AbortSignal }): Promise<void> {
  const header = Array.isArray(o.retryAfter) ? o.retryAfter[0] : o.retryAfter;
  const seconds = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header) * 1000 : undefined;
  const ms = seconds !== undefined && seconds <= MAX_RETRY_AFTER_MS ? seconds : o.baseMs * 2 ** attempt;
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(o.signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(o.signal!.reason);
    };
    const timer = setTimeout(() => {
      o.signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
