// Registry answers turned into wharf's error classes, with Docker's wording: the registry's
// own `errors[].code/message` ("manifest unknown: manifest unknown") after our context.
import { STATUS_CODES } from 'node:http';
import { Forbidden, InvalidArgument, NotFound, Unavailable, type WharfError } from '../errdefs/index.js';

interface RegistryErrorBody {
  errors?: Array<{ code?: string; message?: string; detail?: unknown }>;
}

/**
 * "code: message" of a registry error body, or the HTTP status text. Like Docker's
 * distribution client, only 4xx bodies are read: a 5xx comes from whatever stands in front
 * of the registry as often as from the registry itself.
 */
export function registryDetail(status: number, body: Buffer | string): string {
  if (status >= 500) return `received unexpected HTTP status: ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  try {
    const json = JSON.parse(body.toString()) as RegistryErrorBody;
    const e = json.errors?.[0];
    if (e?.code) return `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.trim();
  } catch {
    // not a registry error document
  }
  switch (status) {
    case 401:
      return 'unauthorized: authentication required';
    case 403:
      return 'denied: requested access to the resource is denied';
    case 404:
      return 'not found';
    case 429:
      return 'toomanyrequests: too many requests';
    default:
      return `received unexpected HTTP status: ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  }
}

/** `context` ("" for none) comes before the registry's words. */
export function registryError(status: number, body: Buffer | string, context: string): WharfError {
  const detail = registryDetail(status, body);
  const message = context ? `${context}: ${detail}` : detail;
  if (status === 404) return new NotFound(message);
  if (status === 401 || status === 403) return new Forbidden(message);
  if (status === 400) return new InvalidArgument(message);
  return new Unavailable(message);
}
