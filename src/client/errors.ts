// Engine API error responses (`{"message": …}` with a 4xx/5xx status) become errdefs
// classes, so callers branch on kind, and keep the HTTP status for exit-code decisions.
import {
  Conflict, Forbidden, Internal, InvalidArgument, NotFound, NotImplemented, NotModified, Unavailable, WharfError,
} from '../errdefs/index.js';

export interface ApiErrorFields {
  /** HTTP status the daemon answered with. */
  readonly statusCode: number;
}

export type ApiError = WharfError & ApiErrorFields;

type Ctor = new (message: string, options?: { cause?: unknown }) => WharfError;

function classFor(status: number): Ctor {
  switch (status) {
    case 400: return InvalidArgument;
    case 403: return Forbidden;
    case 404: return NotFound;
    case 409: return Conflict;
    case 304: return NotModified;
    case 501: return NotImplemented;
    case 503: return Unavailable;
    default: return Internal;
  }
}

/** Builds the typed error for a failed response; `body` is the raw response text. */
export function apiError(status: number, body: string): ApiError {
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (parsed && typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON (a proxy, an old daemon): the text itself is the message.
  }
  if (!message) message = `HTTP ${status}`;
  const err = new (classFor(status))(message) as ApiError;
  (err as { statusCode: number }).statusCode = status;
  return err;
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof WharfError && typeof (err as Partial<ApiErrorFields>).statusCode === 'number';
}

/** The daemon could not be reached at all (socket missing, refused). */
export class ConnectionError extends Unavailable {
  constructor(readonly socketPath: string, readonly code: string | undefined, options?: { cause?: unknown }) {
    super(`Cannot connect to the Docker daemon at unix://${socketPath}. Is the docker daemon running?`, options);
  }
}
