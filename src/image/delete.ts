// `docker rmi` decisions, following moby's daemon/images/image_delete.go: which references
// go, whether the image goes, and the conflict errors with Docker's exact wording.
//
//  - By reference: untag it. If that was the last reference the image is deleted too,
//    unless a container uses it: then without force it is a conflict ("unable to remove
//    repository reference"), with force the image stays, dangling.
//  - By ID: with at most one reference (tags of one repository plus its digests), the
//    references go and the image is deleted; with several, a soft conflict ("referenced in
//    multiple repositories") unless forced.
//  - Hard conflicts (never forced): a running container, dependent child images.
//    Soft conflicts (forced away): stopped containers, remaining references.

import { Conflict } from '../errdefs/index.js';
import { parseNormalizedNamed } from '../reference/reference.js';
import type { ContainerUse } from './types.js';

export type ConflictMask = { hard: boolean; soft: boolean; activeReference: boolean };

export interface ConflictFacts {
  imageId: string;
  children: number;
  users: ContainerUse[];
  refs: number;
}

export class ImageDeleteConflict extends Conflict {
  constructor(
    imageId: string,
    readonly hard: boolean,
    readonly used: boolean,
    detail: string,
  ) {
    super(`conflict: unable to delete ${shortId(imageId)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${detail}`);
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** The first conflict `mask` selects, in moby's order, or undefined. */
export function findConflict(f: ConflictFacts, mask: ConflictMask): ImageDeleteConflict | undefined {
  if (mask.hard && f.children > 0) return new ImageDeleteConflict(f.imageId, true, false, 'image has dependent child images');
  const running = f.users.find((u) => u.running);
  if (mask.hard && running) {
    return new ImageDeleteConflict(f.imageId, true, true, `image is being used by running container ${shortId(running.id)}`);
  }
  if (mask.soft && mask.activeReference && f.refs > 0) {
    return new ImageDeleteConflict(f.imageId, false, false, 'image is referenced in multiple repositories');
  }
  const stopped = f.users.find((u) => !u.running);
  if (mask.soft && stopped) {
    return new ImageDeleteConflict(f.imageId, false, true, `image is being used by stopped container ${shortId(stopped.id)}`);
  }
  return undefined;
}

/** Tags of a single repository plus digests of that repository count as one reference. */
export function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const name = (r: string) => {
    const p = parseNormalizedNamed(r);
    return `${p.domain}/${p.path}`;
  };
  const tags = refs.filter((r) => !r.includes('@'));
  const digests = new Set(refs.filter((r) => r.includes('@')).map(name));
  if (tags.length > 1) return false;
  const single = tags[0] ?? refs[0]!;
  return digests.size === 1 && digests.has(name(single));
}

/** moby's isImageIDPrefix: was the image named by (a prefix of) its ID? */
export function namedById(imageId: string, given: string): boolean {
  return imageId.startsWith(given) || imageId.slice('sha256:'.length).startsWith(given);
}

export function removeRefConflict(given: string, containerId: string, imageId: string): Conflict {
  return new Conflict(
    `conflict: unable to remove repository reference "${given}" (must force) - container ${shortId(containerId)} is using its referenced image ${shortId(imageId)}`,
  );
}

export function normalizeUsers(list: Array<string | ContainerUse>): ContainerUse[] {
  return list.map((u) => (typeof u === 'string' ? { id: u, running: false } : u));
}
