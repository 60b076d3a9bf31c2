// Docker image references, parsed and normalised as Docker's distribution/reference does
// (ParseNormalizedNamed + TagNameOnly), so "busybox", "library/busybox" and
// "docker.io/library/busybox:latest" all name the same thing, and the error texts match
// what scripts written for Docker expect.
//
// Grammar (from distribution/reference's regexp.go):
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain '/'] remote-name
//   domain     := host [':' port-number]
//   remote-name:= path-component ['/' path-component]*
//   path-component := alpha-numeric [separator alpha-numeric]*
//   separator  := /[_.]|__|[-]+/
//   tag        := /[\w][\w.-]{0,127}/
//   digest     := algorithm ":" hex (at least 32 hex digits)

import { InvalidArgument } from '../errdefs/index.js';

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainNameComponent}(?:\\.${domainNameComponent})*|${ipv6})`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';

const referenceRe = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const tagRe = new RegExp(`^${tagPat}$`);
const fullHexRe = /^[a-f0-9]{64}$/;

/** A parsed, normalised reference. `tag` is "latest" when neither tag nor digest was given. */
export interface Reference {
  /** Registry host (and port), e.g. "docker.io", "localhost:5000". */
  domain: string;
  /** Repository path below the domain, e.g. "library/busybox". */
  path: string;
  tag?: string;
  digest?: string;
}

export class ReferenceError extends InvalidArgument {}

function invalid(detail?: string): never {
  throw new ReferenceError(detail ? `invalid reference format: ${detail}` : 'invalid reference format');
}

function splitDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses a reference the way the Docker daemon does (ParseNormalizedNamed), without
 * adding a default tag. Throws InvalidArgument with Docker's wording.
 */
export function parseNormalizedNamed(s: string): Reference {
  if (fullHexRe.test(s)) {
    throw new ReferenceError(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  if (s === '') invalid('repository name must have at least one component');
  // Split off tag/digest before looking at the domain, as Docker does.
  let name = s;
  let rest = '';
  const at = name.indexOf('@');
  if (at !== -1) {
    rest = name.slice(at);
    name = name.slice(0, at);
  }
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) {
    rest = name.slice(colon) + rest;
    name = name.slice(0, colon);
  }
  const { domain, remainder } = splitDomain(name);
  if (remainder.toLowerCase() !== remainder) {
    invalid(`repository name (${remainder}) must be lowercase`);
  }
  const full = `${domain}/${remainder}${rest}`;
  const m = referenceRe.exec(full);
  if (!m) {
    if (referenceRe.test(full.toLowerCase())) invalid('repository name must be lowercase');
    invalid();
  }
  if (m[1]!.length > NAME_TOTAL_LENGTH_MAX) {
    invalid(`repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const ref: Reference = { domain, path: remainder };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) {
    validateDigest(m[3]);
    ref.digest = m[3];
  }
  return ref;
}

function validateDigest(d: string): void {
  const [alg, hex] = d.split(':') as [string, string];
  if (alg === 'sha256' && hex.length !== 64) throw new ReferenceError('invalid checksum digest length');
  if (alg === 'sha512' && hex.length !== 128) throw new ReferenceError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw new ReferenceError('invalid checksum digest format');
  if (alg !== 'sha256' && alg !== 'sha512') throw new ReferenceError('unsupported digest algorithm');
}

/** parseNormalizedNamed + TagNameOnly: a bare name gets ":latest". */
export function parseReference(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = 'latest';
  return ref;
}

/** "docker.io/library/busybox" */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised string: "docker.io/library/busybox:latest", "x@sha256:…". */
export function formatReference(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Normalises a user-given reference: "busybox" → "docker.io/library/busybox:latest". */
export function normalizeReference(s: string): string {
  return formatReference(parseReference(s));
}

/** Display form, as Docker prints it: "docker.io/library/busybox:latest" → "busybox:latest". */
export function familiarName(s: string): string {
  const ref = parseNormalizedNamed(s);
  return formatFamiliar(ref);
}

export function familiarRepository(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const p = ref.path;
  if (p.startsWith(OFFICIAL_REPO_PREFIX) && !p.slice(OFFICIAL_REPO_PREFIX.length).includes('/')) {
    return p.slice(OFFICIAL_REPO_PREFIX.length);
  }
  return p;
}

export function formatFamiliar(ref: Reference): string {
  let s = familiarRepository(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

export function isValidTag(tag: string): boolean {
  return tagRe.test(tag);
}

/** True for an "sha256:<64 hex>" or a bare 64-hex string. */
export function isFullImageId(s: string): boolean {
  return fullHexRe.test(s.startsWith('sha256:') ? s.slice(7) : s);
}
