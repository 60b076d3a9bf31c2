// The /etc/hostname, /etc/hosts and /etc/resolv.conf that each container gets, generated
// as Docker does and bind-mounted over the image's own.
import { promises as fs } from 'node:fs';

export function hostsFile(opts: { hostname: string; ip?: string; extraHosts?: string[] }): string {
  const lines = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::\tip6-localnet',
    'ff00::\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const entry of opts.extraHosts ?? []) {
    const i = entry.indexOf(':');
    if (i > 0) lines.push(`${entry.slice(i + 1)}\t${entry.slice(0, i)}`);
  }
  if (opts.ip) lines.push(`${opts.ip}\t${opts.hostname}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The host's resolv.conf, less loopback nameservers a container in its own network
 * namespace cannot reach (Docker does the same); host-network containers keep them.
 */
export async function resolvConf(opts: { hostNetwork: boolean; source?: string }): Promise<string> {
  let text = '';
  try {
    text = await fs.readFile(opts.source ?? '/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
  if (opts.hostNetwork) return text;
  const kept = text.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  return `${kept.join('\n').trim()}\n`;
}
