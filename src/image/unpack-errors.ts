// Errors cross the worker boundary as plain data (structured clone keeps no class): the
// unpacker's kinds and the errno fields callers test (errnoCode) survive the trip.
import { Internal, InvalidArgument, errnoCode } from '../errdefs/index.js';

export interface WireError {
  kind: 'invalid-argument' | 'internal' | 'errno' | 'other';
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
}

export function toWire(err: unknown): WireError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof InvalidArgument) return { kind: 'invalid-argument', message };
  if (err instanceof Internal) return { kind: 'internal', message };
  const code = errnoCode(err);
  if (code !== undefined) {
    const e = err as { syscall?: string; path?: string };
    return { kind: 'errno', message, code, syscall: e.syscall, path: e.path };
  }
  return { kind: 'other', message };
}

export function fromWire(w: WireError): Error {
  switch (w.kind) {
    case 'invalid-argument':
      return new InvalidArgument(w.message);
    case 'internal':
      return new Internal(w.message);
    case 'errno':
      return Object.assign(new Error(w.message), { code: w.code, syscall: w.syscall, path: w.path });
    default:
      return new Internal(w.message);
  }
}
