// Docker's JSON views of an image: the `images` row (ImageSummary), `image inspect`
// (ImageInspect, API 1.50 shape) and `history` rows.
import { familiarName } from '../../image/index.js';
import type { ImageRecord } from '../../image/types.js';

/** The store keeps normalised names; Docker answers with familiar ones ("busybox:latest"). */
const familiar = (refs: string[]): string[] => refs.map(familiarName);

function createdSeconds(rec: ImageRecord): number {
  const t = Date.parse(rec.config.created ?? '');
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function imageSummary(rec: ImageRecord, containers: number) {
  return {
    Id: rec.id,
    ParentId: rec.parent,
    RepoTags: familiar(rec.repoTags),
    RepoDigests: familiar(rec.repoDigests),
    Created: createdSeconds(rec),
    Size: rec.size,
    SharedSize: -1,
    Labels: rec.config.config?.Labels ?? {},
    Containers: containers,
  };
}

export function imageInspect(rec: ImageRecord, lowerDirs: string[]) {
  const cfg = rec.config.config ?? {};
  return {
    Id: rec.id,
    RepoTags: familiar(rec.repoTags),
    RepoDigests: familiar(rec.repoDigests),
    Parent: rec.parent,
    Comment: rec.config.comment ?? (rec.config.history?.at(-1)?.comment ?? ''),
    Created: rec.config.created ?? '',
    DockerVersion: '',
    Author: rec.config.author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: cfg.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
      ...(cfg.ExposedPorts ? { ExposedPorts: cfg.ExposedPorts } : {}),
      Tty: false, OpenStdin: false, StdinOnce: false, Env: cfg.Env ?? null, Cmd: cfg.Cmd ?? null, Image: '',
      Volumes: cfg.Volumes ?? null, WorkingDir: cfg.WorkingDir ?? '', Entrypoint: cfg.Entrypoint ?? null,
      OnBuild: cfg.OnBuild ?? null, Labels: cfg.Labels ?? null,
      ...(cfg.StopSignal ? { StopSignal: cfg.StopSignal } : {}),
      ...(cfg.Healthcheck ? { Healthcheck: cfg.Healthcheck } : {}),
      ...(cfg.Shell ? { Shell: cfg.Shell } : {}),
    },
    Architecture: rec.config.architecture,
    ...(rec.config.variant ? { Variant: rec.config.variant } : {}),
    Os: rec.config.os,
    Size: rec.size,
    GraphDriver: {
      Data: lowerDirs.length > 1
        ? { LowerDir: lowerDirs.slice(1).join(':'), MergedDir: '', UpperDir: lowerDirs[0], WorkDir: '' }
        : { MergedDir: '', UpperDir: lowerDirs[0] ?? '', WorkDir: '' },
      Name: 'overlay2',
    },
    RootFS: { Type: 'layers', Layers: rec.config.rootfs.diff_ids },
    Metadata: { LastTagTime: rec.addedAt },
  };
}
