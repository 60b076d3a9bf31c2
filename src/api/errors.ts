// The one place where error kinds become HTTP statuses (moby's httpstatus does the same),
// and where the error body gets Docker's `{"message": …}` shape.
import { errorKind, type ErrorKind } from '../errdefs/index.js';

const statusByKind: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  'forbidden': 403,
  'not-found': 404,
  'conflict': 409,
  'not-modified': 304,
  'internal': 500,
  'not-implemented': 501,
  'unavailable': 503,
};

export function httpStatus(err: unknown): number {
  return statusByKind[errorKind(err)];
}

export function errorBody(err: unknown): { message: string } {
  return { message: err instanceof Error ? err.message : String(err) };
}
