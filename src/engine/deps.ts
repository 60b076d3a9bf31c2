// What the engine is built from. Only src/daemon/wire.ts names the implementations.
import path from 'node:path';
import type { ImageService } from '../image/types.js';
import type { ContainerPaths, Runtime } from '../runtime/types.js';
import type { VolumeService } from '../volume/index.js';
import type { ContainerStore } from './container-store.js';
import type { EventBus } from './events.js';
import type { NetworkManager } from './networks.js';
import type { RegistryOps } from './registry-ops.js';

export interface EngineConfig {
  /** Persistent data: images, containers, logs (default /var/lib/wharf). */
  root: string;
  /** Runtime state that must not outlive a reboot: bundles, exit files, runc root (default /run/wharf). */
  execRoot: string;
  /** cgroup parent under each controller (default "wharf"). */
  cgroupParent: string;
  /** The host's hostname, for `--network host` containers and `info`. */
  hostHostname: string;
  /** daemon.json's log-driver/log-opts, for containers that name no driver. */
  logDefaults?: { Type: string; Config: Record<string, string> };
}

export interface EngineDeps {
  config: EngineConfig;
  images: ImageService;
  runtime: Runtime;
  store: ContainerStore;
  events: EventBus;
  networks: NetworkManager;
  volumes: VolumeService;
  /** Pull, push and login; absent in daemons built without a registry client. */
  registry?: RegistryOps;
}

/** What the mount code needs from the engine (mounts.ts). */
export function mountContext(deps: EngineDeps) {
  return {
    volumes: deps.volumes,
    events: deps.events,
    findContainer: (ref: string) => deps.store.find(ref),
    listContainers: () => deps.store.list(),
  };
}

export function exitDir(config: EngineConfig): string {
  return path.join(config.execRoot, 'exits');
}

export function runtimePaths(config: EngineConfig, containerDir: string, id: string): ContainerPaths {
  const bundleDir = path.join(config.execRoot, 'b', id);
  return {
    id,
    bundleDir,
    logPath: path.join(containerDir, 'container.log'),
    exitDir: exitDir(config),
    pidFile: path.join(bundleDir, 'pid'),
    conmonPidFile: path.join(bundleDir, 'conmon.pid'),
  };
}
