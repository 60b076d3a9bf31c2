// POST /build, Docker's classic builder API: the context goes up as a tar, the answer is a
// JSON-lines stream (`stream` output, `aux.ID`, `error`/`errorDetail`). Shared by
// `docker build` and `compose build`; each reads the stream its own way.
import type { Readable } from 'node:stream';
import type { EngineClient, Response } from './client.js';

export interface BuildImageOptions {
  /** The build context as a tar stream. */
  context: Readable;
  /** `t`, repeated once per tag. */
  tags?: string[];
  /** Path of the Dockerfile inside the context (daemon default: Dockerfile). */
  dockerfile?: string;
  /** A null value: the argument is declared but unset (`--build-arg NAME` with no NAME in the environment). */
  buildargs?: Record<string, string | null>;
  labels?: Record<string, string | null>;
  target?: string;
  nocache?: boolean;
  quiet?: boolean;
  /** Remove intermediate containers after a successful build; sent only when set (daemon default: true). */
  rm?: boolean;
  forcerm?: boolean;
  networkmode?: string;
  extrahosts?: string[];
}

/** Sends the build; resolves with the JSON-lines progress stream. */
export function buildImage(c: EngineClient, o: BuildImageOptions): Promise<Response> {
  return c.raw({ method: 'POST', path: `/build${buildQuery(o)}`, rawBody: o.context, headers: { 'Content-Type': 'application/x-tar' } });
}

/** The query string; tags as repeated `t=` keys, which the object form of `query` cannot express. */
export function buildQuery(o: Omit<BuildImageOptions, 'context'>): string {
  const q = new URLSearchParams();
  for (const t of o.tags ?? []) q.append('t', t);
  if (o.dockerfile) q.set('dockerfile', o.dockerfile);
  if (o.buildargs) q.set('buildargs', JSON.stringify(o.buildargs));
  if (o.labels) q.set('labels', JSON.stringify(o.labels));
  if (o.target) q.set('target', o.target);
  if (o.nocache) q.set('nocache', '1');
  if (o.quiet) q.set('q', '1');
  if (o.rm !== undefined) q.set('rm', o.rm ? '1' : '0');
  if (o.forcerm) q.set('forcerm', '1');
  if (o.networkmode) q.set('networkmode', o.networkmode);
  if (o.extrahosts?.length) q.set('extrahosts', o.extrahosts.join(','));
  const s = q.toString();
  return s ? `?${s}` : '';
}
