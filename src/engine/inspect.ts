// Docker's JSON views of a container: `inspect` (ContainerInspectResponse) and the
// `ps` row (ContainerSummary), built from the record.
import type { ContainerSummary } from '../contract/index.js';
import { isActive, type ContainerRecord } from './container.js';
import { healthText } from './health.js';
import { humanDuration } from '../units/index.js';
import { endpointsView, networkSettingsView, summaryPorts } from './network-view.js';

export function inspectContainer(rec: ContainerRecord, extra: { logPath: string; rootfs: { upper: string; work: string; merged: string; lower: string[] }; sizeRw?: number; sizeRootFs?: number; mounts?: unknown[] }) {
  const { spec, state } = rec;
  return {
    Id: spec.id,
    Created: spec.created,
    Path: spec.path,
    Args: spec.args,
    State: {
      Status: state.status,
      // Docker reports a container waiting for its restart as running and restarting.
      Running: state.status === 'running' || state.status === 'paused' || state.status === 'restarting',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
      ...(state.health ? { Health: state.health } : {}),
    },
    Image: spec.imageId,
    ResolvConfPath: spec.resolvConfPath,
    HostnamePath: spec.hostnamePath,
    HostsPath: spec.hostsPath,
    LogPath: extra.logPath,
    Name: `/${spec.name}`,
    RestartCount: state.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null as string[] | null,
    HostConfig: hostConfigView(rec),
    GraphDriver: {
      Data: {
        LowerDir: extra.rootfs.lower.join(':'),
        MergedDir: extra.rootfs.merged,
        UpperDir: extra.rootfs.upper,
        WorkDir: extra.rootfs.work,
      },
      Name: 'overlay2',
    },
    ...(extra.sizeRw !== undefined ? { SizeRw: extra.sizeRw, SizeRootFs: extra.sizeRootFs } : {}),
    Mounts: extra.mounts ?? [],
    Config: { ...spec.config, Volumes: spec.config.Volumes && Object.keys(spec.config.Volumes).length ? spec.config.Volumes : null, Env: spec.config.Env ?? [], Cmd: spec.config.Cmd ?? null, Labels: spec.config.Labels ?? {} },
    NetworkSettings: networkSettingsView(rec),
  };
}

function hostConfigView(rec: ContainerRecord) {
  const hc = rec.spec.hostConfig;
  return {
    Binds: null, ContainerIDFile: '', LogConfig: rec.spec.hostConfig.LogConfig ?? { Type: 'json-file', Config: {} }, NetworkMode: 'bridge', PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null,
    ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: [], DnsOptions: [], DnsSearch: [],
    ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '',
    Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '',
    ShmSize: 67108864, Runtime: 'runc', Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '',
    BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '',
    CpusetMems: '', Devices: [], DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0,
    MemorySwappiness: null, OomKillDisable: null, PidsLimit: null, Ulimits: [], CpuCount: 0, CpuPercent: 0,
    IOMaximumIOps: 0, IOMaximumBandwidth: 0,
    MaskedPaths: [], ReadonlyPaths: [],
    ...hc,
  };
}

/** `ps` status column: "Up 3 seconds", "Exited (0) 5 seconds ago", "Created", "Up 2 minutes (Paused)". */
export function statusText(rec: ContainerRecord, now = Date.now()): string {
  const { state } = rec;
  if (state.status === 'restarting') return `Restarting (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt))} ago`;
  if (isActive(state)) {
    const up = `Up ${humanDuration(now - Date.parse(state.startedAt))}`;
    if (state.status === 'paused') return `${up} (Paused)`;
    return state.health ? `${up} (${healthText(state.health)})` : up;
  }
  if (state.status === 'exited') return `Exited (${state.exitCode}) ${humanDuration(now - Date.parse(state.finishedAt))} ago`;
  if (state.status === 'removing') return 'Removal In Progress';
  if (state.status === 'dead') return 'Dead';
  return 'Created';
}

function commandText(rec: ContainerRecord): string {
  // moby's container view: arguments with a space in single quotes, the path as is.
  const args = rec.spec.args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  return [rec.spec.path, ...args].filter((w) => w !== '').join(' ');
}

export function summarizeContainer(rec: ContainerRecord, imageDisplay: string, sizes?: { rw: number; rootFs: number }, mounts: unknown[] = []): ContainerSummary {
  return {
    Id: rec.spec.id,
    Names: [`/${rec.spec.name}`],
    Image: imageDisplay,
    ImageID: rec.spec.imageId,
    Command: commandText(rec),
    Created: Math.floor(Date.parse(rec.spec.created) / 1000),
    Ports: summaryPorts(rec),
    // The list's sizes are plain int64s with omitempty in Docker's types: a 0 is left out
    // (inspect's are pointers, so its 0 stays).
    ...(sizes?.rw ? { SizeRw: sizes.rw } : {}),
    ...(sizes?.rootFs ? { SizeRootFs: sizes.rootFs } : {}),
    Labels: rec.spec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec),
    HostConfig: { NetworkMode: rec.spec.hostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: endpointsView(rec) },
    Mounts: mounts,
  };
}
