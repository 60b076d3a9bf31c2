// A handful of error classes, one per kind of failure a client can act on. Code deeper
// down throws these (or wraps with `withContext`); `httpStatus` in src/api maps them to
// HTTP statuses in one place. Docker's message wording is kept in `messages.ts`.

export abstract class WharfError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  | 'not-modified'
  | 'unavailable'
  | 'forbidden'
  | 'not-implemented'
  | 'internal';

/** The request is malformed or names an impossible value (HTTP 400). */
export class InvalidArgument extends WharfError {
  readonly kind = 'invalid-argument';
}
/** The named object does not exist (HTTP 404). */
export class NotFound extends WharfError {
  readonly kind = 'not-found';
}
/** The object's state or another object forbids the request (HTTP 409). */
export class Conflict extends WharfError {
  readonly kind = 'conflict';
}
/** Nothing to do: already in the requested state (HTTP 304). */
export class NotModified extends WharfError {
  readonly kind = 'not-modified';
}
/** A dependency (runtime, disk, kernel feature) cannot serve the request now (HTTP 503). */
export class Unavailable extends WharfError {
  readonly kind = 'unavailable';
}
/** The request is understood and refused (HTTP 403). */
export class Forbidden extends WharfError {
  readonly kind = 'forbidden';
}
/** wharf does not do this (yet) (HTTP 501). */
export class NotImplemented extends WharfError {
  readonly kind = 'not-implemented';
}
/** A bug or an unexpected failure of the host (HTTP 500). */
export class Internal extends WharfError {
  readonly kind = 'internal';
}

export function errorKind(err: unknown): ErrorKind {
  return err instanceof WharfError ? err.kind : 'internal';
}

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return errorKind(err) === kind;
}

/** Re-throws `err` as the same kind with `context: ` in front of its message. */
export function withContext(err: unknown, context: string): WharfError {
  const message = `${context}: ${err instanceof Error ? err.message : String(err)}`;
  const Kind = err instanceof WharfError ? (err.constructor as new (m: string, o?: { cause?: unknown }) => WharfError) : Internal;
  return new Kind(message, { cause: err });
}

/** errno codes from node's fs/child_process errors, for mapping host failures. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
