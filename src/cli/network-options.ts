// The network flags of run/create (-p, -P, --expose, --dns*, --add-host, --network, --ip,
// --ip6, --network-alias, --mac-address) and their translation into the Engine API, as the
// docker CLI v28 does it (cli/command/container/opts.go, go-connections/nat, opts/hosts.go,
// opts/network.go). Two kinds of failure, as in docker: a bad value for a validated flag is
// a FlagError ("invalid argument … for "--dns" flag: …", with usage); a bad combination or
// port spec found afterwards is a UsageFailure ("docker: …", no usage line).
import { isIP } from 'node:net';
import type { EndpointSettings, PortBinding } from '../contract/index.js';
import { FlagError, type FlagSpec, type Parsed } from './flags.js';

export const networkFlags: FlagSpec[] = [
  { long: 'add-host', type: 'list', help: 'Add a custom host-to-IP mapping (host:ip)' },
  { long: 'dns', type: 'list', help: 'Set custom DNS servers' },
  { long: 'dns-option', type: 'list', help: 'Set DNS options' },
  { long: 'dns-opt', type: 'list', hidden: true },
  { long: 'dns-search', type: 'list', help: 'Set custom DNS search domains' },
  { long: 'expose', type: 'list', help: 'Expose a port or a range of ports' },
  { long: 'ip', type: 'string', help: 'IPv4 address (e.g., 172.30.100.104)' },
  { long: 'ip6', type: 'string', help: 'IPv6 address (e.g., 2001:db8::33)' },
  { long: 'mac-address', type: 'string', help: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { long: 'network', type: 'list', help: 'Connect a container to a network' },
  { long: 'net', type: 'list', hidden: true },
  { long: 'network-alias', type: 'list', help: 'Add network-scoped alias for the container' },
  { long: 'net-alias', type: 'list', hidden: true },
  { long: 'publish', short: 'p', type: 'list', help: "Publish a container's port(s) to the host" },
  { long: 'publish-all', short: 'P', type: 'bool', help: 'Publish all exposed ports to random ports' },
];

/** A check of docker's `parse()` failed: `docker: <message>` and the help hint, exit 125. */
export class UsageFailure extends Error {
  override readonly name = 'UsageFailure';
}

export type PortMap = Record<string, PortBinding[]>;

/** What the network flags decide, in API shapes. */
export interface NetworkOptions {
  /** HostConfig.NetworkMode: the first --network, or `default`. */
  mode: string;
  endpoints: Record<string, EndpointSettings>;
  exposed: Record<string, Record<string, never>>;
  bindings: PortMap;
  publishAll: boolean;
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  /** null when none, as docker sends it. */
  extraHosts: string[] | null;
}

// ---- ports (go-connections/nat)

/** Go's strconv.ParseUint(s, 10, 16), with its error text. */
function parseUint16(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: `80` or `80-90` (parts after a second `-` are ignored, as in Go). */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) { const p = parseUint16(ports); return [p, p]; }
  const parts = ports.split('-');
  const start = parseUint16(parts[0] as string);
  const end = parseUint16(parts[1] as string);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: `80/udp` → [udp, 80]; no proto means tcp. */
function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0] as string];
  return [parts[1] as string, parts[0] as string];
}

/** ip, hostPort, containerPort: everything before the last two colons is the IP. */
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1] as string;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0] as string, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] as string, container];
}

/** Go's net.SplitHostPort(ip + ":") for a bracketed address, with its error wording. */
function unbracket(ip: string): string {
  const hostport = `${ip}:`;
  const fail = (why: string) => new UsageFailure(`invalid IP address ${ip}: address ${hostport}: ${why}`);
  const end = hostport.indexOf(']');
  if (end < 0) throw fail("missing ']' in address");
  if (end + 1 === hostport.length) throw fail('missing port in address');
  if (end + 1 !== hostport.lastIndexOf(':')) throw fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
  const host = hostport.slice(1, end);
  if (host.includes('[')) throw fail("unexpected '[' in address");
  if (hostport.slice(end + 1).includes(']')) throw fail("unexpected ']' in address");
  return host;
}

/** `docker run -p`'s `published=8080,target=80[,protocol=udp]` form, as the short form. */
function standardNotation(spec: string): string {
  if (!spec.includes('=')) return spec;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of spec.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) throw new UsageFailure(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
}

/** One `-p` spec → its (port, binding) pairs: nat.ParsePortSpec. */
export function parsePortSpec(raw: string): { port: string; binding: PortBinding }[] {
  let [ip, hostPort, containerPort] = splitParts(raw);
  const [proto, cport] = splitProtoPort(containerPort);
  containerPort = cport;
  if (ip !== '' && ip.startsWith('[')) ip = unbracket(ip);
  if (ip !== '' && isIP(ip) === 0) throw new UsageFailure(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new UsageFailure(`no port specified: ${raw}<empty>`);
  let start: number, end: number;
  try { [start, end] = parsePortRange(containerPort); } catch { throw new UsageFailure(`invalid containerPort: ${containerPort}`); }
  let hostStart = 0, hostEnd = 0;
  if (hostPort !== '') {
    try { [hostStart, hostEnd] = parsePortRange(hostPort); } catch { throw new UsageFailure(`invalid hostPort: ${hostPort}`); }
  }
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new UsageFailure(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const p = proto.toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(p)) throw new UsageFailure(`invalid proto: ${proto}`);
  const out: { port: string; binding: PortBinding }[] = [];
  for (let i = 0; i <= end - start; i++) {
    let hp = hostPort === '' ? '' : String(hostStart + i);
    // One container port on a host range: the daemon picks a free port in the range.
    if (start === end && hostStart !== hostEnd) hp = `${hp}-${hostEnd}`;
    out.push({ port: `${start + i}/${p}`, binding: { HostIp: ip, HostPort: hp } });
  }
  return out;
}

/** All `-p` specs → ExposedPorts and PortBindings (nat.ParsePortSpecs). */
export function parsePublish(specs: string[]): { exposed: Record<string, Record<string, never>>; bindings: PortMap } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: PortMap = {};
  for (const spec of specs) {
    for (const { port, binding } of parsePortSpec(standardNotation(spec))) {
      exposed[port] = {};
      (bindings[port] ??= []).push(binding);
    }
  }
  return { exposed, bindings };
}

/** `--expose 80`, `--expose 7000-7010/udp`: added to ExposedPorts. Docker checks no proto here. */
export function addExposed(exposed: Record<string, Record<string, never>>, list: string[]): void {
  for (const e of list) {
    if (e.includes(':')) throw new UsageFailure(`invalid port format for --expose: ${e}`);
    const [proto, port] = splitProtoPort(e);
    let start: number, end: number;
    try { [start, end] = parsePortRange(port); } catch (err) {
      throw new UsageFailure(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
    }
    for (let i = start; i <= end; i++) exposed[`${i}/${proto}`] = {};
  }
}

// ---- flag validators (opts/opts.go, opts/hosts.go)

function invalid(flag: string, value: string, why: string): FlagError {
  return new FlagError(`invalid argument "${value}" for "${flag}" flag: ${why}`);
}

/** Go's net.IP.String() of a valid address: IPv6 compressed and lower-case. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]`).hostname.slice(1, -1) : ip;
}

/** opts.ValidateIPAddress (--dns). */
export function validateDns(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 0) throw invalid('--dns', value, `IP address is not correctly formatted: ${value}`);
  return canonicalIp(ip);
}

const DOMAIN = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/;

/** opts.ValidateDNSSearch: a domain (trailing dot dropped), or `.` for none. */
export function validateDnsSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, '');
  if (v === '.') return v;
  const m = /[a-zA-Z]/.test(v) ? DOMAIN.exec(v) : null;
  if (!m || (m[1] as string).length >= 255) throw invalid('--dns-search', value, `${v} is not a valid domain`);
  return m[1] as string;
}

/** opts.ValidateExtraHost: `host:ip`, `host=ip`, `host:[v6]`, `host:host-gateway` → `host:ip`. */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const k = sep < 0 ? '' : value.slice(0, sep);
  let v = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || k === '' || k.includes(':')) throw invalid('--add-host', value, `bad format for add-host: ${JSON.stringify(value)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    if (isIP(v.trim()) === 0) throw invalid('--add-host', value, `invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

/** Go's net.ParseMAC: 6, 8 or 20 octets as `aa:bb…`, `aa-bb…` or `aabb.ccdd…`. */
export function isMacAddress(value: string): boolean {
  const s = value.trim();
  const octets = (n: number) => n === 6 || n === 8 || n === 20;
  for (const sep of [':', '-']) {
    const parts = s.split(sep);
    if (parts.length > 1 && octets(parts.length) && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return true;
  }
  const dotted = s.split('.');
  return dotted.length > 1 && octets(dotted.length * 2) && dotted.every((p) => /^[0-9a-fA-F]{4}$/.test(p));
}

// ---- --network (opts/network.go) and the endpoint settings (parseNetworkOpts)

interface Attachment {
  target: string; aliases: string[]; ipv4: string; ipv6: string; mac: string;
  linkLocalIps: string[]; driverOpts?: Record<string, string>; gwPriority: number;
}

/** One --network value: a name, or the `name=n,alias=a,ip=…` form (lower-cased, as docker does). */
export function parseNetworkFlag(value: string): Attachment {
  const a: Attachment = { target: value, aliases: [], ipv4: '', ipv6: '', mac: '', linkLocalIps: [], gwPriority: 0 };
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return a;
  a.target = '';
  for (const field of value.split(',')) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw invalid('--network', value, `invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name': a.target = val; break;
      case 'alias': a.aliases.push(val); break;
      case 'ip': a.ipv4 = val; break;
      case 'ip6': a.ipv6 = val; break;
      case 'mac-address': a.mac = val; break;
      case 'link-local-ip': a.linkLocalIps.push(val); break;
      case 'driver-opt': {
        const deq = val.indexOf('=');
        if (deq <= 0) throw invalid('--network', value, 'invalid key value pair format in driver options');
        (a.driverOpts ??= {})[val.slice(0, deq).trim()] = val.slice(deq + 1).trim();
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw invalid('--network', value, `invalid gw-priority (${val}): invalid syntax`);
        a.gwPriority = Number(val);
        break;
      default: throw invalid('--network', value, `invalid field key ${key}`);
    }
  }
  if (!a.target) throw invalid('--network', value, 'network name/id is not specified');
  return a;
}

/** container.NetworkMode.IsUserDefined on Linux. */
export function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

function endpointOf(a: Attachment): EndpointSettings {
  if (a.target.trim() === '') throw new UsageFailure('no name set for network');
  if (!isUserDefined(a.target) && a.aliases.length) throw new UsageFailure('network-scoped aliases are only supported for user-defined networks');
  const ep: EndpointSettings = {};
  if (a.aliases.length) ep.Aliases = [...a.aliases];
  if (a.driverOpts) ep.DriverOpts = a.driverOpts;
  if (a.ipv4 || a.ipv6 || a.linkLocalIps.length) {
    ep.IPAMConfig = { IPv4Address: a.ipv4, IPv6Address: a.ipv6, ...(a.linkLocalIps.length ? { LinkLocalIPs: a.linkLocalIps } : {}) };
  }
  if (a.mac) {
    if (!isMacAddress(a.mac)) throw new UsageFailure(`${a.mac} is not a valid mac address`);
    ep.MacAddress = a.mac;
  }
  if (a.gwPriority) ep.GwPriority = a.gwPriority;
  return ep;
}

/** The flat flags (--network-alias, --ip, --ip6, --mac-address) go to the first network. */
function applyFlat(a: Attachment, flat: { aliases: string[]; ipv4: string; ipv6: string; mac: string }): void {
  const conflict = (what: string) => new UsageFailure(`conflicting options: cannot specify both ${what}`);
  if (a.aliases.length && flat.aliases.length) throw conflict('--network-alias and per-network alias');
  if (a.ipv4 && flat.ipv4) throw conflict('--ip and per-network IPv4 address');
  if (a.ipv6 && flat.ipv6) throw conflict('--ip6 and per-network IPv6 address');
  if (a.mac && flat.mac) throw conflict('--mac-address and per-network MAC address');
  if (flat.aliases.length) a.aliases = [...flat.aliases];
  if (flat.ipv4) a.ipv4 = flat.ipv4;
  if (flat.ipv6) a.ipv6 = flat.ipv6;
  if (flat.mac) a.mac = flat.mac;
}

/** NetworkingConfig.EndpointsConfig from the --network values and the flat flags. */
export function endpointsFrom(values: string[], flat: { aliases: string[]; ipv4: string; ipv6: string; mac: string }): Record<string, EndpointSettings> {
  const attachments = values.map(parseNetworkFlag);
  const endpoints: Record<string, EndpointSettings> = {};
  if (attachments.length === 0) {
    const a = parseNetworkFlag('default');
    applyFlat(a, flat);
    endpoints.default = endpointOf(a);
    return endpoints;
  }
  let user = false, builtin = false;
  attachments.forEach((a, i) => {
    if (isUserDefined(a.target)) user = true; else builtin = true;
    if (i === 0) applyFlat(a, flat);
    const ep = endpointOf(a);
    if (a.target in endpoints) throw new UsageFailure(`network "${a.target}" is specified multiple times`);
    // A lone network without settings is left out; the daemon attaches it anyway.
    if (i === 0 && attachments.length === 1 && Object.keys(ep).length === 0) return;
    endpoints[a.target] = ep;
  });
  if (user && builtin) throw new UsageFailure('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return endpoints;
}

const list = (p: Parsed, ...names: string[]): string[] => names.flatMap((n) => (p.flags[n] as string[] | undefined) ?? []);
const str = (p: Parsed, name: string): string => (p.flags[name] as string | undefined) ?? '';

/** Every network flag, checked in docker's order, into API values. */
export function networkOptionsFrom(p: Parsed): NetworkOptions {
  const dns = list(p, 'dns').map(validateDns);
  const dnsSearch = list(p, 'dns-search').map(validateDnsSearch);
  const extraHosts = list(p, 'add-host').map(validateExtraHost);
  const networks = list(p, 'network', 'net');
  networks.forEach(parseNetworkFlag); // a bad value is a flag error, before any other check
  const mac = str(p, 'mac-address');
  if (mac && !isMacAddress(mac)) throw new UsageFailure(`${mac} is not a valid mac address`);
  const { exposed, bindings } = parsePublish(list(p, 'publish'));
  addExposed(exposed, list(p, 'expose'));
  const endpoints = endpointsFrom(networks, { aliases: list(p, 'network-alias', 'net-alias'), ipv4: str(p, 'ip'), ipv6: str(p, 'ip6'), mac });
  return {
    mode: networks.length ? parseNetworkFlag(networks[0] as string).target : 'default',
    endpoints, exposed, bindings, publishAll: (p.flags['publish-all'] as boolean | undefined) ?? false,
    dns, dnsSearch, dnsOptions: list(p, 'dns-option', 'dns-opt'),
    extraHosts: extraHosts.length ? extraHosts : null,
  };
}
