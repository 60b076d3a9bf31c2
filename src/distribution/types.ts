// The registry client's contract, as the engine and the API see it (implemented by
// DistributionService in service.ts, wired by src/daemon/wire.ts).
//
// Lifecycle of a pull: resolve the reference's endpoints (mirrors, https/http) → fetch the
// manifest (an index picks one platform) → config → layers (3 at a time; each streamed
// through digest check, decompression and unpack at once) → the image record and its tags
// last. Nothing is visible before that record, so an interrupted pull leaves only
// unreferenced blobs and layers, which the next start sweeps.

import type { AuthConfig, JsonProgressMessage, SystemAuthResponse } from '../contract/index.js';

export type { AuthConfig };
export type ProgressMessage = JsonProgressMessage;
export type LoginResult = SystemAuthResponse;

export type ProgressSink = (m: ProgressMessage) => void;

export interface PullOptions {
  /** "NAME[:TAG|@DIGEST]" (tag "latest" when neither is given). */
  reference: string;
  /** "os/arch[/variant]"; the host's platform (linux/amd64 here) by default. */
  platform?: string;
  /** Pull every tag of the repository (`docker pull -a`). */
  allTags?: boolean;
  auth?: AuthConfig;
  progress: ProgressSink;
  signal?: AbortSignal;
}

export interface PushOptions {
  /** "NAME[:TAG]"; without a tag every local tag of NAME is pushed. */
  reference: string;
  auth?: AuthConfig;
  progress: ProgressSink;
  signal?: AbortSignal;
}

export interface RegistryOps {
  pull(opts: PullOptions): Promise<void>;
  push(opts: PushOptions): Promise<void>;
  /** `POST /auth`: checks the credentials against the registry they name. */
  login(auth: AuthConfig, signal?: AbortSignal): Promise<LoginResult>;
}

/** daemon.json's registry settings (Docker's keys). */
export interface RegistrySettings {
  /** `registry-mirrors`: tried, in order, before Docker Hub for docker.io images. */
  mirrors: string[];
  /** `insecure-registries`: hosts or CIDRs reached without TLS verification (or over http); 127.0.0.0/8 always. */
  insecure: string[];
  /** `max-concurrent-downloads` (default 3). */
  maxConcurrentDownloads: number;
  /** `max-concurrent-uploads` (default 5). */
  maxConcurrentUploads: number;
  /** Where per-host CA files live; default /etc/docker/certs.d and /etc/wharf/certs.d. */
  certsDirs: string[];
  /** Blobs larger than this are pushed in chunks (default 64 MiB). Not a Docker key: tests lower it. */
  chunkedUploadAbove?: number;
  /** Size of each chunk of a chunked push (default 16 MiB). */
  chunkBytes?: number;
  /** First wait (ms) before asking a registry again, doubled per attempt (default 200). */
  retryBackoffMs?: number;
}
