// The subset of the OCI runtime spec (runtime-spec v1.0.2, what runc 1.1 reads) that wharf
// writes. Field names are the spec's JSON names, so a value serialises as config.json as is.

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  linux: OciLinux;
}

export interface OciProcess {
  terminal: boolean;
  user: { uid: number; gid: number; additionalGids?: number[] };
  args: string[];
  env: string[];
  cwd: string;
  capabilities: {
    bounding: string[];
    effective: string[];
    permitted: string[];
    inheritable?: string[];
    ambient?: string[];
  };
  noNewPrivileges: boolean;
  rlimits?: { type: string; hard: number; soft: number }[];
  oomScoreAdj?: number;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface OciDeviceCgroup {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OciLinux {
  namespaces: { type: OciNamespaceType; path?: string }[];
  devices: OciDevice[];
  cgroupsPath?: string;
  resources: {
    devices: OciDeviceCgroup[];
    [key: string]: unknown;
  };
  maskedPaths: string[];
  readonlyPaths: string[];
  seccomp?: unknown;
  sysctl?: Record<string, string>;
}
