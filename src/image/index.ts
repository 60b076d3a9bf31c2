// The image store's public face: the factory the daemon's composition root calls, and the
// pure helpers (reference parsing, --change parsing) other folders need.

import { LocalImageService } from './service.js';
import type { ImageEventSink, ImageIngest, ImageService } from './types.js';

/** The store, seen by the engine as ImageService and by the registry client as ImageIngest. */
export function createImageService(opts: { root: string /* data root, e.g. /var/lib/wharf */; onEvent?: ImageEventSink }): ImageService & ImageIngest {
  return new LocalImageService(opts);
}

export type * from './types.js';
export {
  parseReference,
  parseNormalizedNamed,
  normalizeReference,
  familiarName,
  formatFamiliar,
  repositoryName,
  isValidTag,
  isFullImageId,
  type Reference,
} from '../reference/reference.js';
export { applyChanges } from './changes.js';
export { chainIDs } from './layers.js';
export { shortId } from './delete.js';
