// /_ping, /version, /info, /events ("System" tag).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION } from '../../contract/index.js';
import type { Engine } from '../../engine/engine.js';
import type { EngineEvent } from '../../engine/events.js';
import { eventFilter, inWindow, parseEventTime } from '../../engine/event-filter.js';
import { InvalidArgument } from '../../errdefs/index.js';
import type { Router } from '../router.js';
import type { RequestContext } from '../context.js';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

export interface SystemInfo {
  root: string;
  execRoot: string;
  daemonId: string;
  runtimeVersion: string;
}

function ping(ctx: RequestContext): void {
  const res = ctx.response;
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  res.setHeader('Pragma', 'no-cache');
  res.setHeader('Builder-Version', '1');
  if (ctx.req.method === 'HEAD') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '0' }).end();
    return;
  }
  ctx.sendText(200, 'OK');
}

function timeParam(v: string | undefined): number | undefined {
  return v ? parseEventTime(v) : undefined;
}

export function systemRoutes(router: Router, engine: Engine, info: SystemInfo): void {
  router.get('/_ping', async (ctx) => ping(ctx));
  router.head('/_ping', async (ctx) => ping(ctx));

  router.get('/version', async (ctx) => {
    const arch = GO_ARCH[process.arch] ?? process.arch;
    ctx.send(200, {
      Platform: { Name: 'wharf' },
      Components: [
        { Name: 'Engine', Version: ENGINE_VERSION, Details: { ApiVersion: API_VERSION, Arch: arch, BuildTime: '', Experimental: 'false', GitCommit: '', GoVersion: process.version, KernelVersion: os.release(), MinAPIVersion: MIN_API_VERSION, Os: 'linux' } },
        { Name: 'runc', Version: info.runtimeVersion, Details: { GitCommit: '' } },
      ],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: '',
      GoVersion: process.version,
      Os: 'linux',
      Arch: arch,
      KernelVersion: os.release(),
      BuildTime: '',
    });
  });

  router.get('/info', async (ctx) => {
    const containers = engine.containers.list({ all: true, size: false, filters: {} });
    const all = await containers;
    const running = all.filter((c) => c.State === 'running').length;
    const paused = all.filter((c) => c.State === 'paused').length;
    ctx.send(200, {
      ID: info.daemonId,
      Containers: all.length,
      ContainersRunning: running,
      ContainersPaused: paused,
      ContainersStopped: all.length - running - paused,
      Images: engine.images.list().length,
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true'], ['userxattr', 'false']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file', 'local', 'none'] },
      MemoryLimit: true, SwapLimit: true, KernelMemoryTCP: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: true, PidsLimit: true,
      IPv4Forwarding: true, Debug: false, NFd: 0, OomKillDisable: true, NGoroutines: 0,
      SystemTime: new Date().toISOString(),
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '1',
      NEventsListener: 0,
      KernelVersion: os.release(),
      OperatingSystem: osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'], Mirrors: [] },
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      GenericResources: null,
      DockerRootDir: info.root,
      HttpProxy: process.env.HTTP_PROXY ?? '', HttpsProxy: process.env.HTTPS_PROXY ?? '', NoProxy: process.env.NO_PROXY ?? '',
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: ENGINE_VERSION,
      Runtimes: { runc: { path: 'runc' } },
      DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
      SecurityOptions: ['name=seccomp,profile=builtin'],
      Warnings: null,
    });
  });

  router.get('/events', async (ctx) => {
    const since = timeParam(ctx.query.string('since'));
    const until = timeParam(ctx.query.string('until'));
    if (since !== undefined && until !== undefined && until < since) {
      throw new InvalidArgument(`\`since\` time (${ctx.query.string('since')}) cannot be after \`until\` time (${ctx.query.string('until')})`);
    }
    const match = eventFilter(ctx.query.filters());
    const res = ctx.startStream('application/json');
    const write = (e: EngineEvent) => {
      if (inWindow(e, since, until) && match(e)) res.write(`${JSON.stringify(e)}\n`);
    };
    const sub = engine.events.subscribe(write);
    // Moby replays its buffer when either bound is given, and ends the stream at `until`.
    if (since !== undefined || until !== undefined) sub.past.forEach(write);
    const untilMs = until !== undefined ? until * 1000 - Date.now() : undefined;
    await new Promise<void>((resolve) => {
      ctx.abort.signal.addEventListener('abort', () => resolve(), { once: true });
      if (untilMs !== undefined) setTimeout(resolve, Math.max(0, untilMs));
    });
    sub.unsubscribe();
    res.end();
  });

}

function osName(): string {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}
