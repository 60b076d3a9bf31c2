// Just enough of docker's reference grammar for the CLI: split `repo[:tag]`, default tags.

export function splitRepoTag(ref: string): { repo: string; tag?: string } {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return { repo: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repo: base };
}

/** `busybox` → `busybox:latest`, as docker says it in "Unable to find image". */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  return splitRepoTag(ref).tag === undefined ? `${ref}:latest` : ref;
}

/** `busybox` → `docker.io/library/busybox`, `me/app` → `docker.io/me/app`: the name docker sends to pull. */
export function fullName(repo: string): string {
  const slash = repo.indexOf('/');
  const first = slash < 0 ? '' : repo.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return repo;
  return slash < 0 ? `docker.io/library/${repo}` : `docker.io/${repo}`;
}
