// Registry authentication: the `WWW-Authenticate` challenge of a 401, then either HTTP
// basic credentials or a bearer token from the challenge's realm (distribution's token
// spec: GET realm?service=&scope= with basic credentials, or POST a refresh token).
// Tokens are cached per scope until shortly before they expire.
import { Unavailable } from '../errdefs/index.js';
import { readBody, send, type HttpRequest } from './http.js';
import { registryError } from './errors.js';
import type { AuthConfig } from './types.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const scheme = m[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*,?/g;
  for (const p of m[2]!.matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme, params };
}

/** `repository:<name>:<actions>` as the token spec spells scopes. */
export function repositoryScope(repo: string, actions: string[]): string {
  return `repository:${repo}:${actions.join(',')}`;
}

export function basicHeader(auth: AuthConfig): string | undefined {
  if (auth.username !== undefined && auth.password !== undefined) {
    return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  if (auth.auth) return `Basic ${auth.auth}`;
  return undefined;
}

interface CachedToken {
  token: string;
  expires: number;
}

export interface TokenResult {
  token: string;
  refreshToken?: string;
}

/** Holds what one registry host's requests need to authenticate. */
export class Authorizer {
  private challenge?: Challenge;
  private readonly tokens = new Map<string, CachedToken>();
  refreshToken?: string;

  constructor(
    private readonly auth: AuthConfig,
    private readonly tls: HttpRequest['tls'],
  ) {}

  /** Remembers the challenge of a 401; false when it cannot be answered. */
  learn(header: string | undefined): boolean {
    const c = parseChallenge(header);
    if (!c) return false;
    this.challenge = c;
    return true;
  }

  get known(): boolean {
    return this.challenge !== undefined;
  }

  /** The Authorization header for a request needing `scopes` (undefined: send none). */
  async header(scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    if (this.auth.registrytoken) return `Bearer ${this.auth.registrytoken}`;
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return basicHeader(this.auth);
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expires > Date.now()) return `Bearer ${cached.token}`;
    const t = await this.fetchToken(scopes, signal);
    return `Bearer ${t.token}`;
  }

  /** Asks the challenge's realm for a token (login uses it with no scope). */
  async fetchToken(scopes: string[], signal?: AbortSignal): Promise<TokenResult> {
    const c = this.challenge!;
    const realm = c.params.realm;
    if (!realm) throw new Unavailable('bearer challenge without a realm');
    const url = new URL(realm);
    const service = c.params.service;
    const refresh = this.auth.identitytoken;
    let res;
    if (refresh) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 'wharf' });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      res = await send({ method: 'POST', url, body: Buffer.from(form.toString()), headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, tls: this.tls, signal });
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const basic = basicHeader(this.auth);
      if (basic) {
        url.searchParams.set('account', this.auth.username ?? '');
        // The refresh token lets a login hand back an IdentityToken (the spec's offline_token).
        url.searchParams.set('offline_token', 'true');
        url.searchParams.set('client_id', 'wharf');
      }
      res = await send({ method: 'GET', url, headers: basic ? { Authorization: basic } : {}, tls: this.tls, signal });
    }
    const body = await readBody(res, 1 << 20);
    if (res.status !== 200) throw registryError(res.status, body, `token request to ${url.host}`);
    let json: { token?: string; access_token?: string; expires_in?: number; refresh_token?: string };
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Unavailable(`token server ${url.host} answered with invalid JSON`);
    }
    const token = json.token ?? json.access_token;
    if (!token) throw new Unavailable(`token server ${url.host} answered without a token`);
    // The spec's default lifetime is 60 s; renew 10 s early.
    const expires = Date.now() + Math.max(10, (json.expires_in ?? 60) - 10) * 1000;
    this.tokens.set([...scopes].sort().join(' '), { token, expires });
    if (json.refresh_token) this.refreshToken = json.refresh_token;
    return { token, refreshToken: json.refresh_token };
  }

  /** Drops cached tokens (a 401 despite a token: it expired or lacks a scope). */
  forget(): void {
    this.tokens.clear();
  }
}
