// `COPY --chown=user:group`: names are looked up in the image's own /etc/passwd and
// /etc/group (not the host's); numbers are taken as they are. A user alone gives the
// user's primary group, a bare UID gives the same number as GID (Docker's rules).
import { promises as fs } from 'node:fs';
import { InvalidArgument } from '../errdefs/index.js';
import type { ImageRoot } from './image-root.js';

async function readDb(root: ImageRoot | undefined, file: string): Promise<string[][]> {
  if (!root) return [];
  try {
    const host = await root.resolve(file);
    if (host === undefined) return [];
    const text = await fs.readFile(host, 'utf8');
    return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

const fail = (why: string): never => {
  throw new InvalidArgument(`unable to convert uid/gid chown string to host mapping: ${why}`);
};

export async function lookupOwner(spec: string, root: ImageRoot | undefined): Promise<{ uid: number; gid: number }> {
  const [user, group] = spec.split(':', 2);
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(user)) uid = Number(user);
  else {
    const row = (await readDb(root, '/etc/passwd')).find((r) => r[0] === user);
    if (!row) return fail(`can't find uid for user ${user}: no such user: ${user}`);
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (group !== undefined && group !== '') {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const row = (await readDb(root, '/etc/group')).find((r) => r[0] === group);
      if (!row) return fail(`can't find gid for group ${group}: no such group: ${group}`);
      gid = Number(row[2]);
    }
  }
  return { uid, gid: gid ?? uid };
}
