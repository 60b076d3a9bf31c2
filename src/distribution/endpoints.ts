// Where a registry host is reached: mirrors first for Docker Hub, https, and plain http
// only for insecure registries (daemon.json `insecure-registries`, plus loopback, as in
// Docker). TLS material comes from <certs dir>/<host[:port]>/: `*.crt` are CAs,
// `*.cert` + `*.key` a client certificate (Docker's certs.d layout).
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import type { TlsSettings } from './http.js';
import type { RegistrySettings } from './types.js';

export const DOCKER_HUB = 'docker.io';
const HUB_ENDPOINT = 'https://registry-1.docker.io';

export interface Endpoint {
  /** Base URL, e.g. https://registry-1.docker.io (the API is below /v2/). */
  base: URL;
  mirror: boolean;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split('/');
  if (!range || bitsText === undefined || !net.isIPv4(ip) || !net.isIPv4(range)) return false;
  const bits = Number(bitsText);
  const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(range) & mask);
}

function hostOnly(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i > 0 && !host.slice(0, i).includes(':') ? host.slice(0, i) : host;
}

export function isInsecure(host: string, settings: Pick<RegistrySettings, 'insecure'>): boolean {
  const name = hostOnly(host);
  if (name === 'localhost' || name === '::1' || ipInCidr(name, '127.0.0.0/8')) return true;
  for (const entry of settings.insecure) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (e === host || e === name) return true;
    if (e.includes('/') && ipInCidr(name, e)) return true;
  }
  return false;
}

export function endpointsFor(domain: string, settings: RegistrySettings): Endpoint[] {
  if (domain === DOCKER_HUB) {
    const mirrors = settings.mirrors.map((m) => ({ base: new URL(m.replace(/\/+$/, '')), mirror: true }));
    return [...mirrors, { base: new URL(HUB_ENDPOINT), mirror: false }];
  }
  const out: Endpoint[] = [{ base: new URL(`https://${domain}`), mirror: false }];
  if (isInsecure(domain, settings)) out.push({ base: new URL(`http://${domain}`), mirror: false });
  return out;
}

/**
 * TLS settings for `host` (host[:port]). Insecure hosts skip verification unless a CA is
 * configured for them: a CA someone put in certs.d is meant to be checked.
 */
export function tlsFor(host: string, settings: RegistrySettings): TlsSettings {
  const ca: Buffer[] = [];
  let cert: Buffer | undefined;
  let key: Buffer | undefined;
  for (const dir of settings.certsDirs) {
    const hostDir = path.join(dir, host);
    let names: string[];
    try {
      names = readdirSync(hostDir);
    } catch {
      continue;
    }
    for (const n of names.sort()) {
      const file = path.join(hostDir, n);
      if (n.endsWith('.crt')) ca.push(readFileSync(file));
      else if (n.endsWith('.cert')) {
        cert = readFileSync(file);
        key = readFileSync(path.join(hostDir, `${n.slice(0, -'.cert'.length)}.key`));
      }
    }
  }
  const verify = ca.length > 0 || !isInsecure(host, settings);
  // Configured CAs are added to the system's, as Docker does.
  return { verify, ...(ca.length ? { ca: [...ca, ...tls.rootCertificates] } : {}), ...(cert && key ? { cert, key } : {}) };
}

