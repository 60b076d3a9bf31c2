// The image service as the engine and the API see it. Images are content-addressed:
// an image ID is the sha256 digest of its config blob (as in Docker), layers are named by
// diffID (digest of the uncompressed tar) and unpacked once per chain ID, shared by every
// image that has them, and removed when the last image using them goes.
//
// Lifecycle: import/load/commit write blobs first (content/), then unpack layers
// (layers/<chainID>, published by rename), then write the image record last. A crash
// before the record is written leaves only unreferenced blobs/layers, which the start-up
// sweep removes; a half-made image is never visible.

import type { Readable, Writable } from 'node:stream';
import type { BlobWriter } from './blobs.js';
import type { KeptCompressed } from './layers.js';

/** OCI image config (application/vnd.oci.image.config.v1+json), Docker's extra fields allowed. */
export interface ImageConfigFile {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: ContainerConfigInImage;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  // Docker-only fields kept for `inspect` (Comment, DockerVersion, container_config).
  comment?: string;
  [extra: string]: unknown;
}

/** The `config` object inside an image config: the defaults a container starts from. */
export interface ContainerConfigInImage {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: unknown;
  Shell?: string[];
  OnBuild?: string[] | null;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** What the image store keeps per image (image/<hex>.json). */
export interface ImageRecord {
  /** "sha256:<hex>" of the config blob. */
  id: string;
  config: ImageConfigFile;
  /** Normalised references, e.g. "docker.io/library/busybox:latest". */
  repoTags: string[];
  /** "name@sha256:..." digests known from a registry (none for local images). */
  repoDigests: string[];
  /** Sum of the unpacked layer sizes (bytes). */
  size: number;
  /** Parent image ID (local builds/commits), "" otherwise. */
  parent: string;
  /** When this record was first written (ISO 8601); `created` of the config is the image's own. */
  addedAt: string;
}

/** Changes accepted by `import --change` and `commit --change`. */
export interface ImportOptions {
  /** Dockerfile-like lines: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL, ONBUILD. */
  changes?: string[];
  message?: string;
  /** Where the tar came from, for the default history comment "Imported from <source>"; "-" (stdin) by default. */
  source?: string;
  /** Tag to give the image, e.g. "busybox" or "busybox:1.35" (normalised by the store). */
  reference?: string;
  /** Platform of the imported rootfs; defaults to the host's. */
  platform?: { os?: string; architecture?: string };
}

export interface ImageDeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** A container that uses an image, for `remove`'s conflict checks. */
export interface ContainerUse {
  id: string;
  running: boolean;
}

export interface ImageHistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** What an image provides to a container's root file system: overlay lower dirs, top first. */
export interface RootfsLayers {
  lowerDirs: string[];
}

export interface ImageService {
  /** Loads records, removes what a crash left half-made. Call once at start. */
  init(): Promise<void>;
  list(): ImageRecord[];
  /**
   * Finds an image by full ID, "sha256:" ID, unambiguous short ID prefix, or reference
   * (normalised: "busybox" = "docker.io/library/busybox:latest"). Throws NotFound with
   * Docker's "No such image: X" wording.
   */
  resolve(refOrId: string): ImageRecord;
  tag(refOrId: string, newReference: string): Promise<void>;
  /**
   * `docker rmi` semantics: a reference is untagged; the image is deleted when its last
   * tag goes (or when named by ID and it has at most one tag, or with force). `inUseBy`
   * tells which containers use an image, for Docker's conflict errors; a bare ID string
   * counts as a stopped container (Docker's wording differs for running ones).
   */
  remove(
    refOrId: string,
    opts: { force: boolean; noPrune: boolean; inUseBy: (imageId: string) => Array<string | ContainerUse> },
  ): Promise<ImageDeleteResponseItem[]>;
  /** `docker history`: newest entry first, Docker's ImageHistoryResponseItem shape. */
  history(refOrId: string): ImageHistoryItem[];
  /** `docker import`: a rootfs tar (plain or gzip/bzip2/xz) becomes a one-layer image. */
  importRootfs(tar: Readable, opts: ImportOptions): Promise<ImageRecord>;
  /** `docker save`: docker-archive format (manifest.json + OCI layout), loadable by Docker. */
  save(refsOrIds: string[], out: Writable): Promise<void>;
  /** `docker load`: docker-archive or OCI layout tar; returns the "Loaded image: ..." lines. */
  load(tar: Readable): Promise<string[]>;
  /**
   * Where the image's layer trees are (top first), for display (inspect's GraphDriver). The
   * dirs may not exist yet: whatever reads or mounts them calls `unpackedRootfs`.
   */
  rootfsLayers(imageId: string): RootfsLayers;
  /** The same dirs, each unpacked from its blob first if a commit left it as a tar only. */
  unpackedRootfs(imageId: string): Promise<RootfsLayers>;
  /** Total size and each layer's size (bottom layer first), for `history` and `system df`. */
  layerSizes(imageId: string): { size: number; perLayer: number[] };
  /**
   * Creates an image from a directory diff already written as a tar stream (commit/build).
   * `parent` is the base image ("" for scratch); `config` holds the new image's defaults.
   */
  commitLayer(opts: {
    parent: string;
    diffTar: Readable | null;
    /** Regular-file bytes in `diffTar`, read once it has ended; given, the layer is unpacked lazily. */
    diffSize?: () => number;
    config: ContainerConfigInImage;
    history: HistoryEntry;
    reference?: string;
    /**
     * false (a build's steps): written atomically but not fsynced, so a kill -9 is safe
     * and a machine crash may lose the image; `syncImage` makes it durable. Default true.
     */
    durable?: boolean;
  }): Promise<ImageRecord>;
  /** fsyncs everything an image needs (config, record, each layer's blob and record), all at once. */
  syncImage(imageId: string): Promise<void>;
  /** Removes images no container uses: dangling only unless `all`; filters as Docker's prune. */
  prune(opts: { all: boolean; filters: Record<string, string[]>; inUse: Set<string> }): Promise<{ deleted: ImageDeleteResponseItem[]; spaceReclaimed: number }>;
}

/**
 * What the registry client (src/distribution) needs from the store: pulled layers and
 * configs go in through the same verified paths as `load`, pushed ones come out of it.
 */
export interface ImageIngest {
  hasLayer(chainID: string): Promise<boolean>;
  /**
   * Unpacks an uncompressed layer tar; the tar's digest is checked against `expectDiffID`
   * before the layer is published. The tar is kept as the blob named by its diffID unless
   * `compressed` names the compressed blob (from `compressedLayerWriter`) that stands for it.
   */
  ingestLayer(tar: Readable, opts: { parent: string; expectDiffID: string; compressed?: KeptCompressed }): Promise<void>;
  /** A writer for a pulled layer's compressed blob; the caller verifies `digest` as it streams. */
  compressedLayerWriter(digest: string): BlobWriter;
  /** The uncompressed tar of a layer, by diffID (decompressed when kept compressed). */
  openLayerTar(diffID: string): Readable;
  /** Is the tar of `diffID` in the store, in either form? */
  hasLayerTar(diffID: string): Promise<boolean>;
  hasBlob(digest: string): Promise<boolean>;
  /** A blob's bytes as stored (a pulled layer's compressed blob, for push). */
  openBlob(digest: string): Readable;
  /** The image's config bytes exactly as stored (its ID is their digest). */
  configBytes(imageId: string): Promise<Buffer>;
  /** Records an image whose layers are all in, then points each of `references` at it. */
  addImageWithRefs(configBytes: Buffer, references: string[]): Promise<ImageRecord>;
  /** Keeps blobs and layers named by `ids` from garbage collection while `fn` runs. */
  pin<T>(ids: string[], fn: () => Promise<T>): Promise<T>;
  emit(action: ImageEventAction, id: string, attributes?: Record<string, string>): void;
}

/** Events the image store emits for `docker events` (type "image"). */
export type ImageEventAction = 'import' | 'tag' | 'untag' | 'delete' | 'load' | 'save' | 'pull' | 'push';
export interface ImageEventSink {
  (action: ImageEventAction, id: string, attributes: Record<string, string>): void;
}
