// `POST /auth`: do these credentials open the registry? The `/v2/` ping's challenge says
// how to ask: a bearer realm is asked for a token (with no scope), basic credentials are
// sent to `/v2/` itself. Docker Hub's index address means registry-1.docker.io.
import { Forbidden, InvalidArgument } from '../errdefs/index.js';
import { Authorizer, basicHeader } from './auth.js';
import { DOCKER_HUB, endpointsFor, tlsFor } from './endpoints.js';
import { registryDetail } from './errors.js';
import { readBody, send } from './http.js';
import type { AuthConfig, LoginResult, RegistrySettings } from './types.js';
import { headerOf } from './registry.js';

/** "https://index.docker.io/v1/" → docker.io; "localhost:5000" → localhost:5000. */
export function registryHost(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').trim();
  if (!s) return DOCKER_HUB;
  const host = s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io') return DOCKER_HUB;
  return host;
}

export async function login(settings: RegistrySettings, auth: AuthConfig, signal?: AbortSignal): Promise<LoginResult> {
  const host = registryHost(auth.serveraddress);
  if (!auth.username && !auth.identitytoken && !auth.auth) throw new InvalidArgument('username is required');
  const endpoints = endpointsFor(host, { ...settings, mirrors: [] });
  let lastErr: unknown;
  for (const ep of endpoints) {
    const tls = (h: string) => tlsFor(h, settings);
    const v2 = new URL(`${ep.base.href.replace(/\/+$/, '')}/v2/`);
    try {
      const ping = await send({ method: 'GET', url: v2, tls, signal });
      await readBody(ping, 1 << 16);
      if (ping.status === 200) return { Status: 'Login Succeeded' };
      if (ping.status !== 401) throw new Forbidden(`login attempt to ${v2.href} failed with status: ${ping.status}`);
      const authorizer = new Authorizer(auth, tls);
      authorizer.learn(headerOf(ping.headers['www-authenticate']));
      const challenge = headerOf(ping.headers['www-authenticate']) ?? '';
      if (/^\s*bearer/i.test(challenge)) {
        try {
          const t = await authorizer.fetchToken([], signal);
          return { Status: 'Login Succeeded', ...(t.refreshToken ? { IdentityToken: t.refreshToken } : {}) };
        } catch (err) {
          throw new Forbidden(`Get "${v2.href}": ${(err as Error).message.replace(/^token request to [^:]+: /, '')}`);
        }
      }
      const basic = basicHeader(auth);
      const again = await send({ method: 'GET', url: v2, tls, signal, headers: basic ? { Authorization: basic } : {} });
      const body = await readBody(again, 1 << 16);
      if (again.status === 200) return { Status: 'Login Succeeded' };
      throw new Forbidden(`Get "${v2.href}": ${again.status === 401 ? 'unauthorized: incorrect username or password' : registryDetail(again.status, body)}`);
    } catch (err) {
      lastErr = err;
      if (err instanceof Forbidden || signal?.aborted) throw err;
    }
  }
  throw lastErr;
}
