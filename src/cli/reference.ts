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
