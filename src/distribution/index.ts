// The registry client's public face: the factory the composition root calls, and the
// types the engine and API use.
export { DistributionService } from './service.js';
export type * from './types.js';
export { registryHost } from './login.js';

/** A positive integer from the environment, or undefined. */
function envBytes(name: string): number | undefined {
  const v = process.env[name];
  return v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}

/**
 * Docker's defaults for daemon.json's registry keys. The tuning knobs below are no Docker
 * keys; the environment sets them so tests can push in small chunks and retry quickly:
 * WHARF_REGISTRY_CHUNKED_ABOVE, WHARF_REGISTRY_CHUNK_BYTES, WHARF_REGISTRY_BACKOFF_MS.
 */
export const DEFAULT_REGISTRY_SETTINGS = {
  mirrors: [] as string[],
  insecure: [] as string[],
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  certsDirs: ['/etc/docker/certs.d', '/etc/wharf/certs.d'],
  chunkedUploadAbove: envBytes('WHARF_REGISTRY_CHUNKED_ABOVE'),
  chunkBytes: envBytes('WHARF_REGISTRY_CHUNK_BYTES'),
  retryBackoffMs: envBytes('WHARF_REGISTRY_BACKOFF_MS'),
};
