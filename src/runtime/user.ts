// Resolves Docker's `--user` value against the image's /etc/passwd and /etc/group, with
// runc's rules (libcontainer/user `GetExecUser`, which moby uses):
//   ""            root (uid 0), home and groups from passwd/group when present
//   "name"|"uid"  that user; primary gid from passwd; supplementary groups from /etc/group
//   "u:g"         that user with group g (name or gid) and no supplementary groups
// A numeric uid or gid need not exist in the files; a name must.

import { InvalidArgument } from '../errdefs/index.js';
import { readFileInRoot } from './rootfs_path.js';
import type { ResolvedUser } from './types.js';

/** Large enough for any real passwd file; bounds memory on a hostile image. */
const MAX_DB_BYTES = 16 * 1024 * 1024;
const MAX_ID = 2 ** 31 - 1;

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const f = trimmed.split(':');
    const uid = parseId(f[2] ?? '');
    const gid = parseId(f[3] ?? '');
    if (uid === undefined || gid === undefined) continue;
    out.push({ name: f[0], uid, gid, home: f[5] ?? '' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const f = trimmed.split(':');
    const gid = parseId(f[2] ?? '');
    if (gid === undefined) continue;
    out.push({ name: f[0], gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

function parseId(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX_ID ? n : undefined;
}

/** Pure resolution against already-read databases (undefined = the file is missing). */
export function resolveUserFrom(spec: string, db: { passwd?: PasswdEntry[]; group?: GroupEntry[] }): ResolvedUser {
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);
  const uidArg = parseId(userArg);
  const result: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };

  const users = (db.passwd ?? []).filter((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  let matchedName: string | undefined;
  if (users.length > 0) {
    matchedName = users[0].name;
    result.uid = users[0].uid;
    result.gid = users[0].gid;
    result.home = users[0].home || '/';
  } else if (userArg !== '') {
    if (uidArg === undefined) throw new InvalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
    result.uid = uidArg;
  }

  if (groupArg !== '') {
    const gidArg = parseId(groupArg);
    const groups = (db.group ?? []).filter((g) => (gidArg !== undefined ? g.gid === gidArg : g.name === groupArg));
    if (groups.length > 0) result.gid = groups[0].gid;
    else if (gidArg !== undefined) result.gid = gidArg;
    else throw new InvalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
  } else if (matchedName !== undefined) {
    const gids = (db.group ?? []).filter((g) => g.members.includes(matchedName!)).map((g) => g.gid);
    result.additionalGids = [...new Set(gids)];
  }
  return result;
}

/** Resolves `spec` (Docker's `-u`) against the files in `rootfs`. */
export async function resolveUser(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([
    readFileInRoot(rootfs, '/etc/passwd', { maxBytes: MAX_DB_BYTES }),
    readFileInRoot(rootfs, '/etc/group', { maxBytes: MAX_DB_BYTES }),
  ]);
  return resolveUserFrom(spec, {
    passwd: passwd === undefined ? undefined : parsePasswd(passwd),
    group: group === undefined ? undefined : parseGroup(group),
  });
}
