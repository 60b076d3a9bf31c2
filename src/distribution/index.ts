// The registry client's public face: the factory the composition root calls, and the
// types the engine and API use.
export { DistributionService } from './service.js';
export type * from './types.js';
export { registryHost } from './login.js';

/** Docker's defaults for daemon.json's registry keys. */
export const DEFAULT_REGISTRY_SETTINGS = {
  mirrors: [] as string[],
  insecure: [] as string[],
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  certsDirs: ['/etc/docker/certs.d', '/etc/wharf/certs.d'],
};
