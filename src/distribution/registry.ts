// A repository on one registry endpoint: requests under /v2/<repo>/ with authentication
// (a 401 teaches the challenge, the request is sent once more with credentials) and
// endpoint selection (https first; http for insecure registries when TLS cannot connect).
import type { Readable } from 'node:stream';
import { Unavailable, isKind } from '../errdefs/index.js';
import { Authorizer, repositoryScope } from './auth.js';
import { endpointsFor, tlsFor, type Endpoint } from './endpoints.js';
import { registryError } from './errors.js';
import { readBody, send, type HttpResponse } from './http.js';
import { DEFAULT_BACKOFF_MS } from './retry.js';
import type { AuthConfig, RegistrySettings } from './types.js';

export interface RepoRequest {
  method: string;
  /** Path below /v2/<repo>/, e.g. "manifests/latest"; or an absolute URL (upload locations). */
  path: string | URL;
  headers?: Record<string, string>;
  /** A factory, since a request answered 401 is sent again. */
  body?: () => Buffer | Readable;
  /** Extra scopes, e.g. pull on the source repository of a cross-repository mount. */
  scopes?: string[];
  followRedirects?: boolean;
}

export class Repository {
  readonly tls: (host: string) => ReturnType<typeof tlsFor>;
  /** First retry wait (ms) for requests to this repository. */
  readonly backoffMs: number;

  constructor(
    readonly endpoint: Endpoint,
    /** Repository path as the endpoint knows it, e.g. "library/busybox". */
    readonly name: string,
    readonly actions: string[],
    private readonly authorizer: Authorizer,
    settings: RegistrySettings,
    private readonly signal?: AbortSignal,
  ) {
    this.tls = (host) => tlsFor(host, settings);
    this.backoffMs = settings.retryBackoffMs ?? DEFAULT_BACKOFF_MS;
  }

  get host(): string {
    return this.endpoint.base.host;
  }

  url(p: string): URL {
    const base = this.endpoint.base.href.replace(/\/+$/, '');
    return new URL(`${base}/v2/${this.name}/${p}`);
  }

  async request(r: RepoRequest): Promise<HttpResponse> {
    const scopes = [repositoryScope(this.name, this.actions), ...(r.scopes ?? [])];
    const url = typeof r.path === 'string' ? this.url(r.path) : r.path;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.authorizer.header(scopes, this.signal);
      const res = await send({
        method: r.method,
        url,
        headers: { ...(r.headers ?? {}), ...(authorization ? { Authorization: authorization } : {}) },
        body: r.body?.(),
        tls: this.tls,
        followRedirects: r.followRedirects,
        signal: this.signal,
      });
      if (res.status !== 401 || attempt > 0) return res;
      const header = res.headers['www-authenticate'];
      await readBody(res, 1 << 20).catch(() => undefined);
      if (this.authorizer.known) this.authorizer.forget();
      if (!this.authorizer.learn(headerOf(header))) return res;
    }
  }
}

/**
 * Opens `repo` on the first endpoint of `domain` that answers `/v2/` (any HTTP answer
 * counts: 401 teaches the challenge). Mirrors that cannot be reached are skipped.
 */
export async function openRepository(opts: {
  domain: string;
  repo: string;
  actions: string[];
  auth: AuthConfig;
  settings: RegistrySettings;
  signal?: AbortSignal;
  /** Skip mirrors (push goes to the registry itself). */
  noMirrors?: boolean;
}): Promise<Repository[]> {
  const endpoints = endpointsFor(opts.domain, opts.settings).filter((e) => !(opts.noMirrors && e.mirror));
  const usable: Repository[] = [];
  let lastErr: unknown;
  for (const ep of endpoints) {
    // An https endpoint that answered makes its http twin unnecessary.
    if (ep.base.protocol === 'http:' && usable.some((u) => u.host === ep.base.host)) continue;
    const tls = (host: string) => tlsFor(host, opts.settings);
    const authorizer = new Authorizer(opts.auth, tls);
    try {
      const ping = await send({ method: 'GET', url: new URL(`${ep.base.href.replace(/\/+$/, '')}/v2/`), tls, signal: opts.signal });
      const body = await readBody(ping, 1 << 20);
      if (ping.status === 401) authorizer.learn(headerOf(ping.headers['www-authenticate']));
      else if (ping.status >= 500) throw registryError(ping.status, body, `GET ${ep.base.href}v2/`);
      usable.push(new Repository(ep, opts.repo, opts.actions, authorizer, opts.settings, opts.signal));
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      lastErr = err;
      if (!isKind(err, 'unavailable') || isCertificateError(err)) throw err;
    }
  }
  if (usable.length === 0) throw lastErr instanceof Error ? lastErr : new Unavailable(`no endpoint of ${opts.domain} answered`);
  return usable;
}

export function headerOf(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/** A TLS peer we were told to verify failed verification: no falling back to plain http. */
function isCertificateError(err: unknown): boolean {
  const code = String(((err as { cause?: { code?: unknown } }).cause ?? {}).code ?? '');
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
}
