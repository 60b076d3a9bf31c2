// The Engine API shapes the CLI reads and writes, written from moby's api/swagger.yaml.
// Only the fields wharf's CLI uses are typed; the rest ride along as unknown JSON.
// When src/contract grows the full types, these become aliases of them.

export type Labels = Record<string, string>;
export type Filters = Record<string, string[]>;

export interface Ping { apiVersion?: string; osType?: string; experimental?: boolean }

export interface VersionInfo {
  Version: string; ApiVersion: string; MinAPIVersion?: string; GitCommit?: string; GoVersion?: string;
  Os: string; Arch: string; KernelVersion?: string; BuildTime?: string; Experimental?: boolean;
  Components?: { Name: string; Version: string; Details?: Record<string, string> }[];
  Platform?: { Name: string };
}

export interface SystemInfo { [k: string]: unknown }

export interface ImageSummary {
  Id: string; ParentId: string; RepoTags: string[] | null; RepoDigests: string[] | null;
  Created: number; Size: number; SharedSize: number; VirtualSize?: number;
  Labels: Labels | null; Containers: number;
}

export interface HistoryItem { Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }

export interface ImageInspect {
  Id: string; RepoTags: string[]; RepoDigests: string[]; Created: string; Size: number;
  Config?: ContainerConfig | null; [k: string]: unknown;
}

export interface DeleteItem { Untagged?: string; Deleted?: string }
export interface ImagePruneReport { ImagesDeleted: DeleteItem[] | null; SpaceReclaimed: number }
export interface ContainerPruneReport { ContainersDeleted: string[] | null; SpaceReclaimed: number }

export interface Port { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }
export interface MountPoint { Type?: string; Name?: string; Source: string; Destination: string; [k: string]: unknown }

export interface ContainerSummary {
  Id: string; Names: string[]; Image: string; ImageID: string; Command: string; Created: number;
  Ports: Port[]; SizeRw?: number; SizeRootFs?: number; Labels: Labels | null; State: string; Status: string;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, unknown> }; Mounts: MountPoint[];
}

export interface ContainerConfig {
  Hostname?: string; Domainname?: string; User?: string;
  AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean;
  Tty?: boolean; OpenStdin?: boolean; StdinOnce?: boolean;
  Env?: string[]; Cmd?: string[] | null; Entrypoint?: string[] | null; Image?: string;
  WorkingDir?: string; Labels?: Labels; StopSignal?: string; StopTimeout?: number;
  ExposedPorts?: Record<string, object>; Volumes?: Record<string, object>;
  [k: string]: unknown;
}

export interface HostConfig {
  AutoRemove?: boolean; NetworkMode?: string; Binds?: string[] | null; Privileged?: boolean;
  [k: string]: unknown;
}

export interface NetworkingConfig { EndpointsConfig?: Record<string, unknown> }

export interface ContainerCreateBody extends ContainerConfig {
  HostConfig?: HostConfig; NetworkingConfig?: NetworkingConfig;
}

export interface ContainerCreateResponse { Id: string; Warnings: string[] | null }

export interface ContainerState {
  Status: string; Running: boolean; Paused: boolean; Restarting: boolean; OOMKilled: boolean;
  Dead: boolean; Pid: number; ExitCode: number; Error: string; StartedAt: string; FinishedAt: string;
}

export interface ContainerInspect {
  Id: string; Created: string; Path: string; Args: string[]; State: ContainerState; Image: string;
  Name: string; Config: ContainerConfig; HostConfig: HostConfig; [k: string]: unknown;
}

export interface WaitResponse { StatusCode: number; Error?: { Message: string } | null }
export interface TopResponse { Titles: string[]; Processes: string[][] }

export interface ExecCreateBody {
  AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean; DetachKeys?: string;
  Tty?: boolean; Env?: string[]; Cmd: string[]; Privileged?: boolean; User?: string; WorkingDir?: string;
  ConsoleSize?: [number, number];
}
export interface ExecInspect { ID: string; Running: boolean; ExitCode: number | null; Pid: number; ContainerID: string; [k: string]: unknown }

/** One line of a JSON-lines progress stream (import, load, pull). */
export interface JsonMessage {
  stream?: string; status?: string; progress?: string; id?: string;
  error?: string; errorDetail?: { message: string; code?: number };
  aux?: unknown;
}

/** api/swagger.yaml `Volume`. */
export interface Volume {
  Name: string; Driver: string; Mountpoint: string; CreatedAt?: string; Scope: string;
  Labels: Record<string, string> | null; Options: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}
export interface VolumeListResponse { Volumes: Volume[] | null; Warnings: string[] | null }
export interface VolumeCreateBody { Name?: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> }
export interface VolumePruneReport { VolumesDeleted: string[] | null; SpaceReclaimed: number }
/** X-Docker-Container-Path-Stat (moby ContainerPathStat); `mode` is a Go os.FileMode. */
export interface ContainerPathStat { name: string; size: number; mode: number; mtime: string; linkTarget: string }
/** GET /containers/{id}/changes: Kind 0 = modified, 1 = added, 2 = deleted. */
export interface ContainerChange { Path: string; Kind: 0 | 1 | 2 }
export interface CommitOptions {
  container: string; repo?: string; tag?: string; comment?: string; author?: string;
  /** Default true, as Docker's. */
  pause?: boolean;
  changes?: string[];
  config?: Record<string, unknown>;
}
