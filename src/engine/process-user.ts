// The user a container's (or exec's) process runs as, with Docker's group list: moby's
// getUser puts the primary gid first in AdditionalGids, then the /etc/group memberships,
// so `docker run -u nobody busybox id` shows `groups=65534(nogroup)`.
import { resolveUser } from '../runtime/index.js';
import type { ResolvedUser } from '../runtime/types.js';

export function withPrimaryGroup(user: ResolvedUser): ResolvedUser {
  return { ...user, additionalGids: [user.gid, ...user.additionalGids] };
}

export async function resolveProcessUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  return withPrimaryGroup(await resolveUser(rootfs, spec));
}
