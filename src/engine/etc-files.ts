// The /etc/hostname, /etc/hosts and /etc/resolv.conf that each container gets, generated
// as Docker does and bind-mounted over the image's own.
import { promises as fs } from 'node:fs';
import type { HostConfig } from '../contract/index.js';
import { writeFileAtomic } from '../store/index.js';
import type { ContainerRecord } from './container.js';

/**
 * `ips`: the container's addresses on its first network (IPv4, then IPv6), each naming it.
 * `hostGateway`: what `--add-host name:host-gateway` stands for (the default bridge's gateway).
 */
export function hostsFile(opts: { hostname: string; ips?: string[]; extraHosts?: string[]; hostGateway?: string }): string {
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
    if (i <= 0) continue;
    const ip = entry.slice(i + 1);
    lines.push(`${ip === 'host-gateway' && opts.hostGateway ? opts.hostGateway : ip}\t${entry.slice(0, i)}`);
  }
  for (const ip of opts.ips ?? []) lines.push(`${ip}\t${opts.hostname}`);
  return `${lines.join('\n')}\n`;
}

export interface ResolvOptions {
  hostNetwork: boolean;
  source?: string;
  /** A user network's embedded DNS server: the only nameserver, with `options ndots:0` (Docker's). */
  dnsServer?: string;
  /** `--dns`, `--dns-search`, `--dns-option`: replace the host's lines of that kind. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
}

/**
 * The host's resolv.conf, less loopback nameservers a container in its own network
 * namespace cannot reach (Docker does the same); host-network containers keep them.
 */
export async function resolvConf(opts: ResolvOptions): Promise<string> {
  let text = '';
  try {
    text = await fs.readFile(opts.source ?? '/etc/resolv.conf', 'utf8');
  } catch {
    // no host file: only what the options give
  }
  const lines = text.split('\n');
  const nameservers = lines.filter((l) => /^\s*nameserver\s/.test(l));
  const search = lines.filter((l) => /^\s*(search|domain)\s/.test(l));
  const options = lines.filter((l) => /^\s*options\s/.test(l));
  const other = lines.filter((l) => l.trim() && !nameservers.includes(l) && !search.includes(l) && !options.includes(l));
  const out = [
    ...other,
    ...(opts.dnsServer ? [`nameserver ${opts.dnsServer}`]
      : opts.dns?.length ? opts.dns.map((d) => `nameserver ${d}`)
      : opts.hostNetwork ? nameservers
      : nameservers.filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l))),
    ...(opts.dnsSearch?.length ? [`search ${opts.dnsSearch.join(' ')}`] : search),
    ...(opts.dnsOptions?.length ? [`options ${opts.dnsOptions.join(' ')}`] : options),
    ...(opts.dnsServer && !opts.dnsOptions?.length ? ['options ndots:0'] : []),
  ];
  return out.length ? `${out.join('\n')}\n` : '';
}

/** `--dns`, `--dns-search`, `--dns-option` as resolvConf options. */
export function dnsOptions(hc: HostConfig): Pick<ResolvOptions, 'dns' | 'dnsSearch' | 'dnsOptions'> {
  return { dns: hc.Dns ?? undefined, dnsSearch: hc.DnsSearch ?? undefined, dnsOptions: hc.DnsOptions ?? undefined };
}

/**
 * At each start on a bridge network (before `runc create` mounts them): /etc/hosts names the
 * container's address; on a user network resolv.conf points at the network's DNS server.
 */
export async function writeNetworkedEtcFiles(rec: ContainerRecord, opts: { ips: string[]; dnsServer?: string; hostGateway?: string }): Promise<void> {
  const { config, hostConfig } = rec.spec;
  const fqdn = config.Domainname ? `${config.Hostname}.${config.Domainname}` : config.Hostname!;
  // Rewritten at every start, so not fsynced (see writeFileAtomic).
  const regenerated = { durable: false };
  await Promise.all([
    writeFileAtomic(rec.spec.hostsPath, hostsFile({ hostname: fqdn, ips: opts.ips, extraHosts: hostConfig.ExtraHosts ?? [], hostGateway: opts.hostGateway }), 0o644, regenerated),
    resolvConf({ hostNetwork: false, dnsServer: opts.dnsServer, ...dnsOptions(hostConfig) }).then((text) => writeFileAtomic(rec.spec.resolvConfPath, text, 0o644, regenerated)),
  ]);
}
