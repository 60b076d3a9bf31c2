// Manifests as registries serve them: Docker schema 2 and OCI image manifests (one
// platform), Docker manifest lists and OCI indexes (several; one is chosen by platform).
// Schema 1 is refused, as Docker 20.10+ does for pulls by default.
import { InvalidArgument, NotFound, NotImplemented } from '../errdefs/index.js';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociNondistGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** What a pull asks for, in Docker's order of preference. */
export const MANIFEST_ACCEPT = [MT.ociIndex, MT.dockerList, MT.ociManifest, MT.dockerManifest].join(', ');

/** Registries cap manifests at 4 MiB; so do we, before parsing. */
export const MAX_MANIFEST_BYTES = 4 << 20;

const LAYER_TYPES = new Set<string>([MT.dockerLayerGzip, MT.dockerForeignGzip, MT.ociLayer, MT.ociLayerGzip, MT.ociLayerZstd, MT.ociNondistGzip, 'application/vnd.oci.image.layer.nondistributable.v1.tar']);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

function isDigest(d: unknown): d is string {
  return typeof d === 'string' && /^sha256:[a-f0-9]{64}$/.test(d);
}

function descriptor(x: unknown, what: string): Descriptor {
  const d = x as Descriptor;
  if (!d || typeof d !== 'object' || !isDigest(d.digest) || typeof d.size !== 'number' || d.size < 0) {
    throw new InvalidArgument(`invalid manifest: bad ${what} descriptor`);
  }
  return d;
}

/** Parses and checks a manifest document; `contentType` is the registry's Content-Type. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ImageManifest | ManifestIndex {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidArgument('invalid manifest: not JSON');
  }
  const ct = (contentType ?? '').split(';')[0]!.trim();
  const mediaType = (typeof json.mediaType === 'string' ? json.mediaType : '') || ct;
  if (json.schemaVersion === 1 || mediaType === MT.schema1 || mediaType === MT.schema1Signed) {
    throw new NotImplemented(
      'support for Docker Image Format v1 and Docker Image manifest version 2, schema 1 has been removed; the registry must serve schema 2 or OCI manifests',
    );
  }
  if (json.schemaVersion !== 2) throw new InvalidArgument(`invalid manifest: unsupported schemaVersion ${String(json.schemaVersion)}`);
  if (mediaType === MT.dockerList || mediaType === MT.ociIndex || (!mediaType && Array.isArray(json.manifests))) {
    if (!Array.isArray(json.manifests)) throw new InvalidArgument('invalid manifest list: no manifests');
    return { kind: 'index', mediaType: mediaType || MT.ociIndex, manifests: json.manifests.map((m) => descriptor(m, 'manifest')) };
  }
  if (mediaType === MT.dockerManifest || mediaType === MT.ociManifest || (!mediaType && json.config)) {
    const config = descriptor(json.config, 'config');
    if (!Array.isArray(json.layers)) throw new InvalidArgument('invalid manifest: no layers');
    const layers = json.layers.map((l, i) => descriptor(l, `layer ${i}`));
    for (const l of layers) {
      if (!LAYER_TYPES.has(l.mediaType)) throw new InvalidArgument(`invalid manifest: unsupported layer media type ${l.mediaType}`);
    }
    if (config.mediaType && config.mediaType !== MT.dockerConfig && config.mediaType !== MT.ociConfig) {
      throw new InvalidArgument(`invalid manifest: config media type ${config.mediaType} is not an image (an artifact?)`);
    }
    return { kind: 'manifest', mediaType: mediaType || MT.ociManifest, config, layers };
  }
  throw new InvalidArgument(`invalid manifest: unsupported media type ${mediaType || '(none)'}`);
}

export function parsePlatform(s: string): Platform {
  const parts = s.toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) throw new InvalidArgument(`"${s}": unknown operating system or architecture: invalid argument`);
  const [os, architecture, variant] = parts as [string, string, string?];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** containerd's default variants: arm64 means v8, arm without variant means v7. */
function normalVariant(p: Platform): string | undefined {
  if (p.architecture === 'arm64') return p.variant === 'v8' ? undefined : p.variant;
  return p.variant;
}

/** The index entry for `want` (exact variant first, then one without a variant). */
export function selectPlatform(index: ManifestIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => normalVariant(m.platform!) === normalVariant(want));
  const pick = exact ?? (want.variant ? undefined : candidates[0]);
  if (!pick) throw new NotFoundPlatform(want);
  return pick;
}

export class NotFoundPlatform extends NotFound {
  constructor(want: Platform) {
    super(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  }
}

export function isGzipLayer(mediaType: string): boolean {
  return mediaType.endsWith('gzip');
}
