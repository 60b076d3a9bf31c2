// The container runtime as the engine sees it: OCI bundles run by runc under conmon.
// conmon is the per-container monitor (Docker's containerd-shim): it holds stdio, writes
// the log file, records the exit code in `<exitDir>/<id>`, serves the attach socket, and
// keeps the container alive while wharfd is down. wharfd never keeps a process of its own
// per container.
//
// Lifecycle of one container: create (conmon + `runc create`: process exists, stopped
// before exec) → start (`runc start`) → running ⇄ paused → exited (conmon writes the exit
// file, then exits) → delete (`runc delete`). `kill` and `pause` act on running ones.

import type { Duplex } from 'node:stream';
import type { OciSeccomp } from './seccomp/types.js';
import type { LinuxResources } from './spec_resources.js';

/** Everything needed to generate the OCI runtime spec for one container. */
export interface SpecInput {
  /** Absolute path of the mounted root file system. */
  rootfs: string;
  readonlyRootfs: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
  hostname: string;
  tty: boolean;
  /** Keep stdin open (docker run -i). */
  openStdin: boolean;
  /** Namespaces: "private" gets a new one; "host" shares the host's; a path joins that one. */
  network: NamespaceChoice;
  pid: NamespaceChoice;
  ipc: NamespaceChoice;
  uts: NamespaceChoice;
  /**
   * Host paths of the files generated per container and bind-mounted at /etc/hostname,
   * /etc/hosts and /etc/resolv.conf (the engine writes them; spec generation reads no files).
   */
  etcFiles: { hostname: string; hosts: string; resolvConf: string };
  /** cgroup path relative to each controller's root, e.g. "/wharf/<id>". */
  cgroupsPath: string;
  /** Extra mounts (volumes, tmpfs) added by later issues. */
  mounts?: SpecMount[];
  /** Capabilities, seccomp, devices, --init (spec_security.ts); absent: default caps, no seccomp. */
  security?: SpecSecurity;
}

/** The security side of a container, resolved by the engine (no names left to look up). */
export interface SpecSecurity {
  /** The final capability set (bounding = effective = permitted). */
  capabilities: string[];
  /** --privileged: no masked or read-only paths, rw /sys, every device allowed. */
  privileged: boolean;
  noNewPrivileges: boolean;
  /** The resolved filter; undefined runs unconfined. */
  seccomp?: OciSeccomp;
  /** Device nodes to create (--device, or the host's when privileged). */
  devices: SpecDevice[];
  /** --group-add, as numeric gids. */
  groupAdd: number[];
  /** --init: host path of the init binary, mounted at /sbin/docker-init and run as PID 1. */
  initPath?: string;
}

export interface SpecDevice {
  /** Path inside the container. */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
  /** Device cgroup access, a subset of "rwm". */
  permissions: string;
}

export type NamespaceChoice = { kind: 'private' } | { kind: 'host' } | { kind: 'path'; path: string };

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  /** Home directory from /etc/passwd ("/" when unknown), for HOME in the env. */
  home: string;
}

/** Where one container's runtime files live. */
export interface ContainerPaths {
  id: string;
  /** OCI bundle dir: config.json, and conmon's attach socket / ctl / winsz FIFOs. */
  bundleDir: string;
  /** k8s-file log written by conmon. */
  logPath: string;
  /** conmon writes `<exitDir>/<id>` with the exit code when the container exits. */
  exitDir: string;
  /** conmon writes the container's host PID here. */
  pidFile: string;
  conmonPidFile: string;
}

export interface CreateOptions extends ContainerPaths {
  tty: boolean;
  openStdin: boolean;
  /** "json-file"-like k8s-file log, or none. */
  logDriver: 'k8s-file' | 'none';
  /** conmon's `--log-size-max` (bytes): it replaces the log by a new file before passing it. */
  logSizeMax?: number;
  /**
   * Keep the container's stdin open when an attached client disconnects (conmon
   * `--leave-stdin-open`). conmon closes stdin when *any* attach connection ends; Docker
   * closes it only for StdinOnce containers, so pass `!stdinOnce`. Default false.
   */
  leaveStdinOpen?: boolean;
}

export interface RuntimeState {
  status: 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
}

/**
 * A live attach to a container's (or exec's) stdio through conmon's attach socket.
 * `output` yields chunks tagged with the stream they came from; `writeStdin` sends input;
 * `closeStdin` sends EOF (for containers started with -i and without --leave-stdin-open it
 * closes the container's stdin).
 */
export interface AttachSession {
  onOutput(cb: (stream: 'stdout' | 'stderr', data: Buffer) => void): void;
  onEnd(cb: () => void): void;
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  close(): void;
}

export interface ExecOptions {
  execId: string;
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
  tty: boolean;
  openStdin: boolean;
  detach: boolean;
  /** Directory for the exec's process.json, pid file, attach socket and exit file. */
  execDir: string;
}

export interface Runtime {
  /** Starts conmon, which runs `runc create`; resolves with the container's PID once created. */
  create(opts: CreateOptions): Promise<{ pid: number; conmonPid: number }>;
  /** Lets the created container's process run; `initPid` is what `create` returned. */
  start(id: string, initPid: number): Promise<void>;
  kill(id: string, signal: string | number, all?: boolean): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** `runc delete` (force kills first when asked); no error when runc does not know the id. */
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  state(id: string): Promise<RuntimeState | undefined>;
  /** IDs runc knows under this runtime root (for reconciling at start). */
  list(): Promise<{ id: string; status: RuntimeState['status']; pid: number }[]>;
  /** Exit code conmon recorded, or undefined if the container has not exited. */
  readExitCode(exitDir: string, id: string): Promise<number | undefined>;
  attach(bundleDir: string): Promise<AttachSession>;
  resize(bundleDir: string, size: { height: number; width: number }): Promise<void>;
  /**
   * Runs a process in a running container under conmon (`conmon --exec`). Unless detached,
   * the returned session is attached before the process starts, so no output is lost.
   * `exited` resolves with the exit code.
   */
  exec(containerId: string, bundleDir: string, opts: ExecOptions): Promise<ExecHandle>;
  /** PIDs of every process in the container (`runc ps`), for `top`. */
  pids(id: string): Promise<number[]>;
  /** Changes a running container's cgroup limits (`runc update`); absent fields are kept. */
  update(id: string, resources: LinuxResources): Promise<void>;
}

export interface ExecHandle {
  pid: number;
  session?: AttachSession;
  exited: Promise<number>;
}

export type { Duplex };
