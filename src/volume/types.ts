// The volume layer's contract. A volume is a named directory that outlives containers.
// Lifecycle: `create` makes the record and the `_data` directory; `acquire` (one call per
// container start) mounts a volume whose driver options name a file system (tmpfs, a
// device, a bind) on first use; `release` (at that container's exit) unmounts it when its
// last user goes; `remove` deletes record and data. Which containers *refer* to a volume
// (for "volume is in use") is the engine's knowledge, not this layer's.

/** On-disk record layout version of `volumes/<name>/volume.json`. */
export const VOLUME_RECORD_VERSION = 1;

/** Label Docker (23+) puts on anonymous volumes; `prune` without `all` removes only these. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  version: number;
  name: string;
  /** Only "local" exists. */
  driver: string;
  /** RFC 3339, as Docker's CreatedAt. */
  createdAt: string;
  labels: Record<string, string>;
  /** Driver options as given (`-o type=tmpfs -o device=tmpfs -o o=size=1m`). */
  options: Record<string, string>;
}

/** Docker's Volume object (api/swagger.yaml `Volume`), without UsageData. */
export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  /** null when there are none, as Docker sends them. */
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: 'local';
}

export interface CreateVolumeOptions {
  /** Empty: a random 64-hex name (an anonymous volume when labelled so). */
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
}

/** Reading volumes. */
export interface VolumeReader {
  get(name: string): VolumeRecord;
  find(name: string): VolumeRecord | undefined;
  list(): VolumeRecord[];
  /** Host path of the volume's data (what containers see). */
  mountpoint(name: string): string;
  view(rec: VolumeRecord): VolumeView;
}

/** Creating and removing volumes. */
export interface VolumeWriter {
  /** Idempotent for an existing name with compatible options (Docker returns the existing one). */
  create(opts: CreateVolumeOptions): Promise<{ volume: VolumeRecord; created: boolean }>;
  /** Removes record and data; the caller has checked that no container refers to it. */
  remove(name: string): Promise<void>;
}

/** Mounting the file system a volume's options name, refcounted by user (container ID). */
export interface VolumeMounter {
  acquire(name: string, user: string): Promise<string>;
  release(name: string, user: string): Promise<void>;
  /**
   * After a daemon restart: `users` are the volumes running containers use. Those stay
   * mounted (and counted); every other volume mount is unmounted.
   */
  reconcile(users: Map<string, Set<string>>): Promise<void>;
}

export interface VolumeService extends VolumeReader, VolumeWriter, VolumeMounter {
  /** Loads every record from disk (once, at start). */
  load(): Promise<void>;
}
