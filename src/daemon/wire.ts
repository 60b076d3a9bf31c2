// The one composition root: the only file that names implementations.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRouter, createApiServer, type ApiLogger } from '../api/index.js';
import { Builder } from '../build/index.js';
import { ContainerStore } from '../engine/container-store.js';
import { Engine } from '../engine/engine.js';
import { EventBus } from '../engine/events.js';
import { NetworkManager } from '../engine/networks.js';
import { DEFAULT_REGISTRY_SETTINGS, DistributionService } from '../distribution/index.js';
import { createImageService } from '../image/index.js';
import { NetworkLayer } from '../network/index.js';
import { createRuntime } from '../runtime/index.js';
import { readJson, writeJsonAtomic } from '../store/index.js';
import { LocalVolumes } from '../volume/index.js';
import { DEFAULTS, type DaemonConfig } from './config.js';

const DEFAULT_BRIDGE = DEFAULTS.bridge;

export async function wire(config: DaemonConfig, log: ApiLogger) {
  await fs.mkdir(config.dataRoot, { recursive: true, mode: 0o711 });
  await fs.mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  const events = new EventBus();
  let registry: DistributionService | undefined = undefined;
  const images = createImageService({
    root: config.dataRoot,
    onEvent: (action, id, attrs) => {
      events.publish('image', action, id, attrs);
      // A deleted image's manifests and compressed blobs go with it.
      if (action === 'delete') void registry?.collect().catch(() => undefined);
    },
  });
  registry = new DistributionService({
    root: config.dataRoot,
    images,
    settings: {
      ...DEFAULT_REGISTRY_SETTINGS,
      mirrors: config.registryMirrors ?? [],
      insecure: config.insecureRegistries ?? [],
      maxConcurrentDownloads: config.maxConcurrentDownloads ?? DEFAULT_REGISTRY_SETTINGS.maxConcurrentDownloads,
      maxConcurrentUploads: config.maxConcurrentUploads ?? DEFAULT_REGISTRY_SETTINGS.maxConcurrentUploads,
      certsDirs: process.env.WHARF_CERTS_DIRS ? process.env.WHARF_CERTS_DIRS.split(':') : DEFAULT_REGISTRY_SETTINGS.certsDirs,
    },
    defaultPlatform: { os: 'linux', architecture: nodeArch() },
  });
  const runtime = createRuntime({ runcRoot: path.join(config.execRoot, 'runc') });
  const store = new ContainerStore(path.join(config.dataRoot, 'containers'));
  const networkLayer = await NetworkLayer.open({ root: path.join(config.dataRoot, 'network'), ...networkNames(config.bridge), bip: config.bip });
  const engine = new Engine({
    config: { root: config.dataRoot, execRoot: config.execRoot, cgroupParent: config.cgroupParent, hostHostname: os.hostname(), logDefaults: config.logDriver || config.logOpts ? { Type: config.logDriver ?? 'json-file', Config: config.logOpts ?? {} } : undefined },
    images,
    runtime,
    store,
    events,
    networks: new NetworkManager(networkLayer, store, events),
    volumes: new LocalVolumes(path.join(config.dataRoot, 'volumes')),
    registry,
  });
  await engine.init();
  await registry.init();
  const builder = new Builder(engine, config.dataRoot);
  await builder.sweep();
  const router = buildRouter(engine, {
    root: config.dataRoot,
    execRoot: config.execRoot,
    daemonId: await daemonId(config.dataRoot),
    runtimeVersion: runtimeVersion(),
  }, builder);
  return { engine, server: createApiServer(router, log) };
}

/**
 * Names in the host's shared namespaces. The default daemon has Docker's shapes (wharf0,
 * br-<id>, table wharf); a daemon given another bridge names its user bridges and its nft
 * table after it, so two wharfds on one host never touch each other's links or rules.
 */
function networkNames(bridge: string) {
  if (bridge === DEFAULT_BRIDGE) return { defaultBridge: bridge, bridgePrefix: 'br-', nftTable: 'wharf' };
  return { defaultBridge: bridge, bridgePrefix: `${bridge.slice(0, 10)}-`, nftTable: bridge };
}

/** Go's GOARCH names for node's process.arch. */
function nodeArch(): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

async function daemonId(root: string): Promise<string> {
  const file = path.join(root, 'engine-id.json');
  const existing = await readJson<{ id: string }>(file);
  if (existing?.id) return existing.id;
  const id = randomUUID();
  await writeJsonAtomic(file, { id });
  return id;
}

function runtimeVersion(): string {
  try {
    return /runc version (\S+)/.exec(execFileSync('runc', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
