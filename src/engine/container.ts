// One container: the configuration fixed at create time (changed only by `rename`, and by
// `update` in a later issue) and the state that changes with its life. Both are persisted
// together in `containers/<id>/container.json` (layout v1), written atomically.
import type { ContainerConfig, ContainerState, HostConfig } from '../contract/index.js';
import type { EndpointAddress, PortMapping } from '../network/index.js';
import type { HealthState } from './health.js';
import type { MountPointRecord } from './mount-spec.js';

export const CONTAINER_RECORD_VERSION = 1;

export interface ContainerSpecRecord {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  /** The image as the user named it, and its resolved ID. */
  image: string;
  imageId: string;
  /** The command as resolved at create time (entrypoint + cmd), Docker's Path/Args. */
  path: string;
  args: string[];
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Host-side path of the per-container hostname/hosts/resolv.conf files. */
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** The networks it joins at start, in order (the first is eth0 and carries the ports). */
  networks?: EndpointConfigRecord[];
  /** Volumes, binds and tmpfs mounts resolved at create (mounts.ts); absent in older records. */
  mounts?: MountPointRecord[];
  /**
   * A builder's RUN container, removed right after its step: its files are written without
   * fsync. After a power loss its record is whole, empty or absent; reconcile then keeps it
   * as an exited container or sweeps its directory as a create leftover, and the network
   * leases of endpoints no record names go at start (ipam reconcile). Nothing a user asked
   * to keep is lost.
   */
  buildIntermediate?: boolean;
}

/** A container's membership of one network, as asked for (create, `network connect`). */
export interface EndpointConfigRecord {
  networkId: string;
  /** The network's name when joined, for inspect after the network is gone. */
  networkName: string;
  aliases: string[];
  /** `--ip` / IPAMConfig.IPv4Address. */
  ipv4?: string;
  /** `--ip6` / IPAMConfig.IPv6Address (an `--ipv6` network with a given v6 subnet). */
  ipv6?: string;
}

/** A live endpoint: an address held and a veth in the container's netns. */
export interface EndpointStateRecord extends EndpointAddress {
  endpointId: string;
  hostIfname: string;
  /** Inside the container: eth0, eth1, … */
  ifname: string;
}

export interface ContainerRuntimeState {
  status: ContainerState['Status'];
  pid: number;
  conmonPid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  restartCount: number;
  /** Set by `stop`/`kill` so an exit is known to be the user's doing (restart policies, issue 4). */
  stoppedByUser: boolean;
  /** While running: its endpoints by network ID, and its published ports. */
  endpoints?: Record<string, EndpointStateRecord>;
  ports?: PortMapping[];
  /** State.Health, from the first start of a container with a health check (health.ts). */
  health?: HealthState;
}

export interface ContainerRecord {
  version: number;
  spec: ContainerSpecRecord;
  state: ContainerRuntimeState;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerRuntimeState {
  return {
    status: 'created',
    pid: 0,
    conmonPid: 0,
    exitCode: 0,
    error: '',
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    oomKilled: false,
    restartCount: 0,
    stoppedByUser: false,
  };
}

export function isActive(state: ContainerRuntimeState): boolean {
  return state.status === 'running' || state.status === 'paused' || state.status === 'restarting';
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
