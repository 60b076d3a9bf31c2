// What pull and push are built from (assembled by service.ts).
import type { ImageIngest, ImageService } from '../image/types.js';
import type { DistributionMeta } from './meta.js';
import type { RegistrySettings } from './types.js';

export interface DistributionDeps {
  images: ImageIngest & Pick<ImageService, 'resolve' | 'list'>;
  meta: DistributionMeta;
  settings: RegistrySettings;
  /** The platform pulls select by default (the host's). */
  defaultPlatform: { os: string; architecture: string; variant?: string };
}
