// Docker's rules for combining a create request with its image's defaults (moby
// daemon/create.go + image merge): env by key, labels and exposed ports merged, the
// image's CMD dropped when the request sets an ENTRYPOINT, `--entrypoint ""` clearing it.
import type { ContainerConfig } from '../contract/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import type { ContainerConfigInImage } from '../image/types.js';
import { mergeHealthcheck } from './health.js';

function asList(v: string[] | string | null | undefined): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? [v] : v;
}

/** Docker gives every container a PATH when its image has none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function mergeEnv(imageEnv: string[] = [], requestEnv: string[] = []): string[] {
  const out = new Map<string, string>();
  for (const kv of [...imageEnv, ...requestEnv]) {
    const key = kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv;
    out.delete(key); // re-inserted at the end, as Docker orders overrides
    out.set(key, kv);
  }
  return [...out.values()];
}

export interface MergedCommand {
  entrypoint: string[];
  cmd: string[];
}

export function mergeCommand(image: ContainerConfigInImage, req: ContainerConfig): MergedCommand {
  const reqEntrypoint = asList(req.Entrypoint);
  const reqCmd = asList(req.Cmd) ?? [];
  if (reqEntrypoint && reqEntrypoint.length > 0) {
    // `--entrypoint ""` arrives as [""]: an explicit "no entrypoint".
    const entrypoint = reqEntrypoint.length === 1 && reqEntrypoint[0] === '' ? [] : reqEntrypoint;
    return { entrypoint, cmd: reqCmd };
  }
  return {
    entrypoint: reqEntrypoint ? [] : (image.Entrypoint ?? []),
    cmd: reqCmd.length > 0 ? reqCmd : (image.Cmd ?? []),
  };
}

export function mergeConfig(image: ContainerConfigInImage, req: ContainerConfig): ContainerConfig {
  const { entrypoint, cmd } = mergeCommand(image, req);
  if (entrypoint.length === 0 && cmd.length === 0) throw new InvalidArgument('no command specified');
  return {
    ...req,
    Hostname: req.Hostname ?? '',
    Domainname: req.Domainname ?? '',
    User: req.User || image.User || '',
    AttachStdin: req.AttachStdin ?? false,
    AttachStdout: req.AttachStdout ?? false,
    AttachStderr: req.AttachStderr ?? false,
    ExposedPorts: { ...(image.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) },
    Tty: req.Tty ?? false,
    OpenStdin: req.OpenStdin ?? false,
    StdinOnce: req.StdinOnce ?? false,
    Env: withDefaultPath(mergeEnv(image.Env, req.Env ?? [])),
    Cmd: cmd.length > 0 ? cmd : null,
    Image: req.Image ?? '',
    Volumes: { ...(image.Volumes ?? {}), ...(req.Volumes ?? {}) },
    WorkingDir: req.WorkingDir || image.WorkingDir || '',
    Entrypoint: entrypoint.length > 0 ? entrypoint : null,
    OnBuild: image.OnBuild ?? null,
    Labels: { ...(image.Labels ?? {}), ...(req.Labels ?? {}) },
    ...(req.StopSignal || image.StopSignal ? { StopSignal: req.StopSignal || image.StopSignal } : {}),
    ...(req.Healthcheck || image.Healthcheck ? { Healthcheck: mergeHealthcheck(req.Healthcheck, image.Healthcheck) } : {}),
  };
}

function withDefaultPath(env: string[]): string[] {
  return env.some((kv) => kv.startsWith('PATH=')) ? env : [DEFAULT_PATH, ...env];
}

/** Docker's Path and Args: the first word of entrypoint+cmd and the rest. */
export function pathAndArgs(config: ContainerConfig): { path: string; args: string[] } {
  const all = [...(asList(config.Entrypoint) ?? []), ...(asList(config.Cmd) ?? [])];
  return { path: all[0] ?? '', args: all.slice(1) };
}
