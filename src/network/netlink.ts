// Bridges, network namespaces and veth pairs, through iproute2's `ip` (no native code).
//
// Netns choice: as Docker's sandboxes, a container's netns is made by wharfd before the
// runtime runs (createWiredNetns), held by a bind mount on a file in the container's
// directory, and runc joins it; so the interface, address and routes exist before the
// container's first instruction runs, and they go with the netns when its mount does. A
// running container's netns is reached by its init's PID (network connect). Named netns
// (createNetns/deleteNetns, under /run/netns) serve this layer's own tests.
//
// Lifecycle: createBridge (network create) → createWiredNetns (container start; nothing at
// exit), attachEndpoint / detachEndpoint (network connect / disconnect of a running
// container) → deleteBridge (network rm). Deletes are idempotent: a missing link or netns is not an error, so a
// half-done setup can always be rolled back with the same calls.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { runTool, ipJson } from './command.js';
import { formatIPv4, parseIPv4 } from './cidr.js';
import { Conflict, InvalidArgument, Unavailable } from '../errdefs/index.js';

export const NETNS_DIR = '/run/netns';
/** Linux IFNAMSIZ - 1 */
const MAX_IFNAME = 15;

export interface BridgeOptions {
  name: string;
  /** Gateway address with the subnet's prefix, e.g. `172.17.0.1/16`. */
  address: string;
  /** Default 1500, as Docker's `com.docker.network.driver.mtu`. */
  mtu?: number;
  /** The link's alias (`ip link … alias`): marks it as wharf's, for reconcile. */
  alias?: string;
  /** `--ipv6` networks: the v6 gateway with its prefix, e.g. `fd12:3456:789a::1/64`. */
  address6?: string;
}

export interface EndpointOptions {
  /**
   * The netns: a name under /run/netns, or a process whose netns it is (a container's
   * init: wharfd lets runc create the netns and wires it between `runc create` and start).
   */
  netns: string | { pid: number };
  bridge: string;
  /** Host end of the veth (see `hostVethName`). */
  hostIfname: string;
  /** Container address with prefix, e.g. `172.17.0.2/16`. */
  address: string;
  /** Default route; absent for `--internal` networks without a gateway route. */
  gateway?: string;
  /** `--ipv6` networks: the v6 address with prefix, and the v6 default route's gateway. */
  address6?: string;
  gateway6?: string;
  /** Name inside the container; default `eth0` (then `eth1`… for further networks). */
  ifname?: string;
  mtu?: number;
  /** Default: Docker's, 02:42 followed by the IPv4 address's bytes. */
  mac?: string;
}

export function netnsPath(name: string): string {
  return path.join(NETNS_DIR, name);
}

/** `veth` + 7 hex of the endpoint id's hash: stable, so reconcile can find it again. */
export function hostVethName(endpointId: string): string {
  return `veth${createHash('sha256').update(endpointId).digest('hex').slice(0, 7)}`;
}

/** Docker's MAC for an IPv4 address: 02:42:ac:11:00:02 for 172.17.0.2. */
export function macForIPv4(ip: string): string {
  const n = parseIPv4(ip);
  if (n === undefined) throw new InvalidArgument(`invalid IP address: ${ip}`);
  return ['02', '42', ...formatIPv4(n).split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

function checkIfname(name: string): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.length > MAX_IFNAME) {
    throw new InvalidArgument(`invalid interface name "${name}": at most ${MAX_IFNAME} letters, digits, '_', '.', '-'`);
  }
}

export async function linkExists(name: string, opts: { netns?: string } = {}): Promise<boolean> {
  const ns = opts.netns ? ['-n', opts.netns] : [];
  try {
    await runTool('ip', [...ns, 'link', 'show', 'dev', name]);
    return true;
  } catch {
    return false;
  }
}

/** Names of host links starting with `prefix` (reconcile: bridges and veths wharf made). */
export async function listLinks(prefix: string): Promise<string[]> {
  const links = await ipJson<{ ifname: string }[]>(['link', 'show']);
  return links.map((l) => l.ifname).filter((n) => n.startsWith(prefix));
}

/** Links whose alias starts with `prefix`: wharf's bridges, whatever their names. */
export async function linksByAlias(prefix: string): Promise<{ ifname: string; alias: string }[]> {
  const links = await ipJson<{ ifname: string; ifalias?: string }[]>(['link', 'show', 'type', 'bridge']);
  return links.filter((l) => l.ifalias?.startsWith(prefix)).map((l) => ({ ifname: l.ifname, alias: l.ifalias! }));
}

/** The first IPv4 address (with prefix) of a link, if it exists and has one. */
export async function linkIPv4(name: string): Promise<string | undefined> {
  if (!(await linkExists(name))) return undefined;
  const addrs = await ipJson<{ addr_info?: { family: string; local: string; prefixlen: number }[] }[]>(['-4', 'addr', 'show', 'dev', name]);
  const a = addrs[0]?.addr_info?.find((i) => i.family === 'inet');
  return a ? `${a.local}/${a.prefixlen}` : undefined;
}

/** Creates the bridge with its gateway address and brings it up; an existing one is kept. */
export async function createBridge(opts: BridgeOptions): Promise<void> {
  checkIfname(opts.name);
  const mtu = String(opts.mtu ?? 1500);
  if (!(await linkExists(opts.name))) {
    await runTool('ip', ['link', 'add', 'name', opts.name, 'mtu', mtu, 'type', 'bridge']);
  }
  try {
    if (opts.address6) await setBridgeIPv6Sysctls(opts.name);
    await runTool('ip', ['-batch', '-'], {
      input: [
        `link set dev ${opts.name} mtu ${mtu}`,
        ...(opts.alias ? [`link set dev ${opts.name} alias ${opts.alias}`] : []),
        `addr replace ${opts.address} dev ${opts.name}`,
        // nodad: the gateway is usable at once (the DNS server binds it), no tentative delay.
        ...(opts.address6 ? [`addr replace ${opts.address6} dev ${opts.name} nodad`] : []),
        `link set dev ${opts.name} up`,
      ].join('\n'),
    });
  } catch (err) {
    await deleteLink(opts.name);
    throw err;
  }
}

/** Removes a link (a bridge, or a veth with its peer); absent is fine. */
export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await runTool('ip', ['link', 'del', 'dev', name]);
}

export const deleteBridge = deleteLink;

export async function createNetns(name: string): Promise<string> {
  const p = netnsPath(name);
  if (!(await exists(p))) await runTool('ip', ['netns', 'add', name]);
  await runTool('ip', ['-n', name, 'link', 'set', 'dev', 'lo', 'up']);
  return p;
}

/** Removes the named netns (its links go with it once no process holds it); absent is fine. */
export async function deleteNetns(name: string): Promise<void> {
  if (await exists(netnsPath(name))) await runTool('ip', ['netns', 'del', name]);
}

export async function listNetns(prefix: string): Promise<string[]> {
  try {
    return (await fs.readdir(NETNS_DIR)).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/**
 * A veth pair: the host end enslaved to the bridge, the other end moved into the netns and
 * named `eth0`, with its address and default route. On failure the pair is removed.
 */
export async function attachEndpoint(opts: EndpointOptions): Promise<void> {
  const { hostSide, netnsSide } = endpointCommands(opts);
  await runTool('sh', ['-c', ATTACH_SCRIPT, 'sh', netnsSide.join('\n'), ...ipInNetns(opts.netns)], {
    input: hostSide.join('\n'),
    label: `attach ${opts.hostIfname}`,
  }).catch(async (err: Error) => {
    // No separate existence check (a spawn on every start): `link add` refuses a taken
    // name, and then the link is someone else's and must be left alone.
    if (err.message.includes(HOST_SIDE_FAILED) && /File exists/.test(err.message)) {
      throw new Conflict(`interface ${opts.hostIfname} already exists`);
    }
    await deleteLink(opts.hostIfname);
    throw err;
  });
}

/** The `ip -batch` lines of an endpoint: made and enslaved on the host, addressed inside. */
function endpointCommands(opts: EndpointOptions): { hostSide: string[]; netnsSide: string[]; ifname: string; mtu: string; mac: string } {
  checkIfname(opts.hostIfname);
  const ifname = opts.ifname ?? 'eth0';
  checkIfname(ifname);
  const mtu = String(opts.mtu ?? 1500);
  const ip = opts.address.split('/')[0];
  const mac = opts.mac ?? macForIPv4(ip);
  const target = typeof opts.netns === 'string' ? opts.netns : String(opts.netns.pid);
  // The peer is created directly inside the netns, so its name may be eth0 even though
  // the host has an eth0 too.
  const hostSide = [
    `link add name ${opts.hostIfname} mtu ${mtu} type veth peer name ${ifname} mtu ${mtu} address ${mac} netns ${target}`,
    `link set dev ${opts.hostIfname} master ${opts.bridge}`,
    // Hairpin: with br_netfilter loaded, a container's connection to its own published
    // port is DNATed while bridged and must leave through the port it came in by.
    `link set dev ${opts.hostIfname} type bridge_slave hairpin on`,
    `link set dev ${opts.hostIfname} up`,
  ];
  const netnsSide = [
    `addr add ${opts.address} broadcast + dev ${ifname}`,
    ...(opts.address6 ? [`addr add ${opts.address6} dev ${ifname} nodad`] : []),
    `link set dev ${ifname} up`,
    ...(opts.gateway ? [`route add default via ${opts.gateway} dev ${ifname}`] : []),
    ...(opts.gateway6 ? [`route add ::/0 via ${opts.gateway6} dev ${ifname}`] : []),
  ];
  return { hostSide, netnsSide, ifname, mtu, mac };
}

/**
 * Both halves of an attach in one spawn: forking wharfd costs more than either `ip` (its
 * whole address space is copied), so the shell runs the host side's `ip -batch` (stdin),
 * then the netns side's (`$1`) with the command that enters the netns (the other args).
 * A failure of the host side says so on stderr: only that one may be a taken name.
 */
const HOST_SIDE_FAILED = 'wharf: host side failed';
const ATTACH_SCRIPT = `ip -batch - || { echo '${HOST_SIDE_FAILED}' >&2; exit 1; }
batch=$1; shift
printf '%s\\n' "$batch" | "$@"`;

/** `ip -batch -` inside a netns given by name (`ip -n`) or by a process in it (nsenter). */
function ipInNetns(netns: EndpointOptions['netns']): string[] {
  if (typeof netns === 'string') return ['ip', '-n', netns, '-batch', '-'];
  return ['nsenter', `--net=/proc/${netns.pid}/ns/net`, 'ip', '-batch', '-'];
}

/**
 * A container's netns made before its runtime starts, held by a bind mount on `file` (which
 * the caller unmounts when the container ends), with its endpoints wired; all in one spawn.
 * `ready` settles once the netns exists: the runtime may join it (its spec names `file`)
 * while the veths are still being made, so the wiring (some ms of `ip`) overlaps the
 * runtime's own setup instead of waiting for it. `wired` settles when all is done. The
 * veth pairs are made from inside the netns, with the host end sent out to the netns of
 * process `hostPid` (wharfd's, where the bridges are). On failure the host ends are removed.
 */
export function createWiredNetns(file: string, hostPid: number, endpoints: Omit<EndpointOptions, 'netns'>[]): { ready: Promise<void>; wired: Promise<void> } {
  const inside = ['link set dev lo up'];
  const hostSide: string[] = [];
  /** The host end made by each `link add` line of `inside` (1-based, as `ip -batch` counts). */
  const madeAt = new Map<number, string>();
  for (const opts of endpoints) {
    const e = endpointCommands({ ...opts, netns: { pid: hostPid } });
    madeAt.set(inside.length + 1, opts.hostIfname);
    inside.push(`link add name ${e.ifname} mtu ${e.mtu} address ${e.mac} type veth peer name ${opts.hostIfname} mtu ${e.mtu} netns ${hostPid}`, ...e.netnsSide);
    hostSide.push(...e.hostSide.slice(1)); // the pair itself is made inside
  }
  const child = spawn('sh', ['-c', WIRED_NETNS_SCRIPT, 'sh', file, inside.join('\n')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(hostSide.join('\n'));
  const failure = (code: number | null) => {
    const text = Buffer.concat(stderr).toString('utf8').trim() || `exit status ${code}`;
    // Only a `link add` can find its name taken; `ip -batch` names the line that failed.
    const taken = /File exists/.test(text) ? madeAt.get(Number(/Command failed -:(\d+)/.exec(text)?.[1])) : undefined;
    if (taken) return new Conflict(`interface ${taken} already exists`);
    return new Unavailable(`wiring the container's network namespace: ${text}`);
  };
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new Unavailable(`sh: ${e.message}`, { cause: e })));
    child.on('close', resolve);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    exited.then((code) => reject(failure(code)), reject);
  });
  const wired = exited.then(async (code) => {
    if (code === 0) return;
    // A name taken before we came is someone else's link: leave it.
    const err = failure(code);
    if (!(err instanceof Conflict)) for (const e of endpoints) await deleteLink(e.hostIfname).catch(() => undefined);
    throw err;
  });
  // Callers await `ready` first: neither may end wharfd as an unhandled rejection meanwhile.
  ready.catch(() => undefined);
  wired.catch(() => undefined);
  return { ready, wired };
}

/**
 * $1: the netns file; $2: the batch run inside; stdin: the host side's batch. "ready" on
 * stdout once the netns exists.
 */
const WIRED_NETNS_SCRIPT = `: > "$1" && unshare --net="$1" true || exit 1
echo ready
printf '%s\\n' "$2" | nsenter --net="$1" ip -batch - || exit 1
exec ip -batch -`;

/** Removes the endpoint's veth pair (deleting one end deletes both). */
export async function detachEndpoint(hostIfname: string): Promise<void> {
  await deleteLink(hostIfname);
}

/**
 * `route_localnet=1` on one bridge: lets a DNAT of 127.0.0.1:<port> to a container leave
 * through that bridge. Set only on wharf's bridges, never host-wide.
 */
export async function setRouteLocalnet(bridge: string): Promise<void> {
  checkIfname(bridge);
  await fs.writeFile(`/proc/sys/net/ipv4/conf/${bridge}/route_localnet`, '1');
}

/**
 * Per-interface IPv6 settings of one of wharf's dual-stack bridges (never `all`/`default`):
 * IPv6 on even where the host's default disables it; no router advertisements taken from
 * containers; and `force_forwarding` (Linux 6.17+) so packets coming in from the bridge are
 * forwarded whatever the global switch says. Absent knobs (older kernels) are skipped.
 */
async function setBridgeIPv6Sysctls(bridge: string): Promise<void> {
  checkIfname(bridge);
  const dir = `/proc/sys/net/ipv6/conf/${bridge}`;
  for (const [knob, value] of [['disable_ipv6', '0'], ['accept_ra', '0'], ['force_forwarding', '1']]) {
    await fs.writeFile(path.join(dir, knob), value).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

/** Turns on IPv4 forwarding (needed for NAT); returns true if it was off. */
export async function ensureIpForward(): Promise<boolean> {
  const file = '/proc/sys/net/ipv4/ip_forward';
  if ((await fs.readFile(file, 'utf8')).trim() === '1') return false;
  await fs.writeFile(file, '1');
  return true;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
