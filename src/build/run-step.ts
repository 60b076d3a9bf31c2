// RUN: a container of the current image state, made and started by the engine like any
// other (same runtime, networking, cgroups), its output streamed into the build, then its
// upper dir committed as a layer. The container is always removed when `rm` says so,
// also when the command fails (the issue wants a failed build to leave nothing behind).
import type { Readable } from 'node:stream';
import { upperLayerTar } from '../archive/overlay-layer.js';
import { INIT_PATHS } from '../engine/commit.js';
import type { Engine } from '../engine/engine.js';
import { rootfsPaths } from '../engine/rootfs.js';
import type { ContainerConfigInImage } from '../image/types.js';

export interface RunStepOptions {
  imageId: string;
  config: ContainerConfigInImage;
  cmd: string[];
  /** Build args in scope, "K=V", added to the container's environment only. */
  buildEnv: string[];
  networkMode?: string;
  extraHosts?: string[];
  /** Remove the container afterwards (default true). */
  rm: boolean;
  /** Output of the command, as it comes. */
  output: (chunk: string) => void;
  /** Called once the container exists, with its ID (for " ---> Running in …"). */
  started: (id: string) => void;
  signal: AbortSignal;
}

export interface RunStepResult {
  exitCode: number;
  containerId: string;
  /** The layer tar; only valid until `cleanup`. */
  diff(): Readable;
  cleanup(): Promise<void>;
}

export async function runStep(engine: Engine, o: RunStepOptions): Promise<RunStepResult> {
  const { Id: id } = await engine.containers.create({
    Image: o.imageId,
    Cmd: o.cmd,
    Entrypoint: [''],
    Env: [...(o.config.Env ?? []), ...o.buildEnv],
    WorkingDir: o.config.WorkingDir ?? '',
    User: o.config.User ?? '',
    Labels: o.config.Labels ?? {},
    Healthcheck: { Test: ['NONE'] },
    HostConfig: {
      NetworkMode: o.networkMode || 'bridge',
      ExtraHosts: o.extraHosts ?? [],
      // The build stream carries the output; no log file size to worry about beyond the step.
      LogConfig: { Type: 'json-file', Config: {} },
    },
  } as Parameters<Engine['containers']['create']>[0], undefined, { buildIntermediate: true });
  const dir = engine.deps.store.containerDir(id);
  const { waiters } = engine.containers.lifecycle;
  // The layer is read from the upper dir while the engine still tears the container down
  // (runc delete, unmount): only the process must be gone. Removing it waits for the
  // teardown, or `rm -f` would find the record still running and kill it again.
  const exited = waiters.nextProcessExit(id);
  const tornDown = waiters.nextExit(id);
  let ran = false;
  const cleanup = async () => {
    if (ran) await tornDown;
    if (o.rm) await engine.containers.remove(id, { force: true, volumes: true }).catch(() => undefined);
  };
  try {
    o.started(id);
    await engine.containers.lifecycle.start(id);
    const onAbort = () => void engine.containers.lifecycle.kill(id, 'SIGKILL').catch(() => undefined);
    o.signal.addEventListener('abort', onAbort, { once: true });
    // A client that hung up while the container was being created or started.
    if (o.signal.aborted) onAbort();
    try {
      await streamOutput(engine, id, o.output);
      const code = await exited;
      ran = true;
      // The image's layer dirs (unpacked: the container ran on them) tell the packer which upper
      // dirs can be opaque, so a step that only added files spawns no getfattr.
      const { lowerDirs } = engine.images.rootfsLayers(o.imageId);
      return { exitCode: code, containerId: id, diff: () => layerOf(rootfsPaths(dir).upper, lowerDirs), cleanup };
    } finally {
      o.signal.removeEventListener('abort', onAbort);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The command's output while it runs; ends when its process has exited and its log is read. */
async function streamOutput(engine: Engine, id: string, output: (s: string) => void): Promise<void> {
  const follow = { follow: true, stdout: true, stderr: true, tail: 'all' } as const;
  for await (const rec of engine.containers.logs(id, follow, new AbortController().signal, { untilProcessExit: true }).records) {
    output(rec.data.toString('utf8'));
  }
}

/**
 * The command's changes as a layer: what `docker commit` would take. The paths the runtime
 * mounts or creates for every container (hosts, resolv.conf, /dev, ...) are left out, as
 * Docker's init layer keeps them out of every commit.
 */
function layerOf(upper: string, lowerDirs: string[]): Readable {
  return upperLayerTar(upper, { exclude: INIT_PATHS, lowerDirs }).stream;
}
