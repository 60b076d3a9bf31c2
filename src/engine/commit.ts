// `docker diff` and `docker commit` (moby daemon/changes.go, daemon/commit.go): both read
// the container's overlay upper dir; commit turns it into a layer on top of the
// container's image, with the container's config (plus overrides and --change lines).
import type { ContainerConfig } from '../contract/index.js';
import { overlayChanges, type Change } from '../archive/overlay-changes.js';
import { upperLayerTar } from '../archive/overlay-layer.js';
import { InvalidArgument } from '../errdefs/index.js';
import { applyChanges } from '../image/changes.js';
import type { ContainerConfigInImage } from '../image/types.js';
import { normalizeReference } from '../reference/reference.js';
import { isActive } from './container.js';
import { containerAttributes } from './create.js';
import type { EngineDeps } from './deps.js';
import type { Lifecycle } from './lifecycle.js';
import { rootfsPaths } from './rootfs.js';

export interface CommitRequest {
  container: string;
  repo: string;
  tag: string;
  comment: string;
  author: string;
  /** Freeze a running container while its layer is read (Docker's default: true). */
  pause: boolean;
  /** Dockerfile-like lines (CMD, ENV, …), applied after `config`. */
  changes: string[];
  /** Config fields that override the container's (the request body). */
  config?: ContainerConfig;
}

/**
 * Mount points the runtime creates in the rw layer when the image lacks them. Docker keeps
 * these in a separate "-init" layer, so they never show in `diff` or go into a commit.
 */
export const INIT_PATHS: ReadonlySet<string> = new Set(['/.dockerenv', '/dev', '/proc', '/sys', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab']);

/** The image config fields a commit keeps from the container's config. */
const IMAGE_FIELDS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'Shell', 'OnBuild'] as const;

function imageConfigOf(c: ContainerConfig, overrides?: ContainerConfig): ContainerConfigInImage {
  const out: Record<string, unknown> = {};
  for (const k of IMAGE_FIELDS) {
    const o = (overrides as Record<string, unknown> | undefined)?.[k];
    const v = o !== undefined && o !== null && !(Array.isArray(o) && o.length === 0) && o !== '' ? o : (c as Record<string, unknown>)[k];
    if (v !== undefined && v !== null && v !== '') out[k] = structuredClone(v);
  }
  return out as ContainerConfigInImage;
}

function commandText(cmd: ContainerConfig['Cmd']): string {
  return typeof cmd === 'string' ? cmd : (cmd ?? []).join(' ');
}

export async function containerChanges(deps: EngineDeps, ref: string): Promise<Change[]> {
  const rec = deps.store.get(ref);
  const upper = rootfsPaths(deps.store.containerDir(rec.spec.id)).upper;
  return overlayChanges(upper, (await deps.images.unpackedRootfs(rec.spec.imageId)).lowerDirs, { exclude: INIT_PATHS });
}

/** Returns the new image's ID ("sha256:…"). */
export async function commitContainer(deps: EngineDeps, lifecycle: Lifecycle, req: CommitRequest): Promise<string> {
  const rec = deps.store.get(req.container);
  if (!req.repo && req.tag) throw new InvalidArgument('invalid reference format: tag given without a repository');
  const reference = req.repo ? (req.tag ? `${req.repo}:${req.tag}` : req.repo) : undefined;
  if (reference) normalizeReference(reference); // Docker's "invalid reference format" before any work
  const config = applyChanges(imageConfigOf(rec.spec.config, req.config), req.changes);
  const upper = rootfsPaths(deps.store.containerDir(rec.spec.id)).upper;

  const pause = req.pause && isActive(rec.state) && rec.state.status === 'running';
  if (pause) await lifecycle.pause(rec.spec.id);
  try {
    const { lowerDirs } = await deps.images.unpackedRootfs(rec.spec.imageId);
    const layer = upperLayerTar(upper, { exclude: INIT_PATHS, lowerDirs });
    const [img] = await Promise.all([
      deps.images.commitLayer({
        parent: rec.spec.imageId,
        diffTar: layer.stream,
        diffSize: layer.size,
        config,
        history: {
          created_by: commandText(rec.spec.config.Cmd),
          ...(req.author ? { author: req.author } : {}),
          ...(req.comment ? { comment: req.comment } : {}),
        },
        reference,
      }),
      layer.done,
    ]);
    deps.events.publish('container', 'commit', rec.spec.id, containerAttributes(rec, { comment: req.comment }));
    return img.id;
  } finally {
    if (pause) await lifecycle.unpause(rec.spec.id).catch(() => undefined);
  }
}
