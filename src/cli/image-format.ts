// docker's ImageContext: one row per tag (or per digest with --digests), `<none>` for untagged.
import type { ImageSummary } from '../client/types.js';
import { GO_MARSHAL } from './template.js';
import { goTime, humanSize, shortId, timeAgo } from './units.js';

export const IMAGE_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', ID: 'IMAGE ID', CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

export const IMAGES_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_TABLE_DIGESTS = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

function splitRef(ref: string): [string, string] {
  const at = ref.lastIndexOf('@');
  if (at >= 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, ''];
}

function na(n: number): string { return n < 0 ? 'N/A' : String(n); }

export function imageContexts(img: ImageSummary, o: { trunc: boolean; digests: boolean; now?: number }): Record<string, unknown>[] {
  const base = {
    Containers: na(img.Containers),
    CreatedAt: goTime(img.Created),
    CreatedSince: timeAgo(img.Created, o.now),
    ID: o.trunc ? shortId(img.Id) : img.Id,
    SharedSize: img.SharedSize < 0 ? 'N/A' : humanSize(img.SharedSize, 3),
    Size: humanSize(img.Size, 3),
    UniqueSize: img.SharedSize < 0 ? 'N/A' : humanSize(img.Size - img.SharedSize, 3),
    VirtualSize: humanSize(img.VirtualSize ?? img.Size),
  };
  const digestsByRepo = new Map<string, string[]>();
  for (const d of img.RepoDigests ?? []) {
    const [repo, digest] = splitRef(d);
    if (repo !== '<none>') digestsByRepo.set(repo, [...(digestsByRepo.get(repo) ?? []), digest]);
  }
  const rows: Record<string, unknown>[] = [];
  const row = (repo: string, tag: string, digest: string): void => { rows.push({ ...base, Digest: digest, Repository: repo, Tag: tag }); };
  const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  for (const t of tags) {
    const [repo, tag] = splitRef(t);
    const ds = digestsByRepo.get(repo);
    if (o.digests && ds?.length) for (const d of ds) row(repo, tag, d);
    else row(repo, tag, ds?.[0] ?? '<none>');
    digestsByRepo.delete(repo);
  }
  for (const [repo, ds] of digestsByRepo) for (const d of ds) row(repo, '<none>', d);
  if (!rows.length) row('<none>', '<none>', '<none>');
  // Go's sort of the context keys, so `{{json .}}` matches docker's field order.
  return rows.map((r) => {
    const sorted = Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
    Object.defineProperty(sorted, GO_MARSHAL, { value: true, enumerable: false });
    return sorted;
  });
}
