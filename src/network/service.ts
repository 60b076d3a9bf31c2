// The network layer as the engine sees it: networks (records, bridges, address pools, DNS
// servers), container endpoints (an address, then a veth into the container's netns) and
// published ports. It knows nothing of containers beyond the ids the engine hands it.
//
// Lifecycle: open → init (built-in networks, bridges up, table applied) → create/remove
// networks; per container start: allocateAddress → (runc create) → attach → publish;
// per exit: unpublish → releaseAddress (the veth dies with the netns). At wharfd start the
// engine calls `restore` with what its running containers hold; everything else is freed.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, Forbidden, InvalidArgument, NotFound } from '../errdefs/index.js';
import { parseCidr } from './cidr.js';
import { parseCidr6 } from './cidr6.js';
import { DnsServer, type DnsRecord, type Upstream } from './dns/index.js';
import { HostPorts } from './host-ports.js';
import { hostRoutedSubnets, hostRoutedSubnets6 } from './host-routes.js';
import { Ipam } from './ipam.js';
import { attachEndpoint, createBridge, createWiredNetns, linkIPv4, linksByAlias, deleteBridge, detachEndpoint, ensureIpForward, hostVethName, macForIPv4, setRouteLocalnet, type EndpointOptions } from './netlink.js';
import { NETWORK_RECORD_VERSION, NetworkStore, type NetworkRecord } from './network-store.js';
import type { NftBridge } from './nftables.js';
import { PortPublisher, type PortMapping, type PublishRequest, type PublishTargets } from './port-publisher.js';

export interface NetworkLayerConfig {
  /** Persistent records: `<data-root>/network`. */
  root: string;
  /** The default network's bridge (Docker's `--bridge`); default `wharf0`. */
  defaultBridge: string;
  /** User networks' bridges are `<prefix><id…>` unless named by option; Docker's `br-`. */
  bridgePrefix: string;
  /** wharf's nft table (family inet). */
  nftTable: string;
  /** The default bridge's gateway/prefix (Docker's `--bip`); default: the first free pool. */
  bip?: string;
  /** Where the host's resolvers are read (DNS forwarding). */
  resolvConf?: string;
}

export interface CreateNetworkSpec {
  name: string;
  driver: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** `--ipv6`: dual stack; the v6 subnet is `subnet6` or the next /64 of wharf's ULA /48. */
  enableIPv6?: boolean;
  subnet6?: string;
  gateway6?: string;
  ipRange6?: string;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipamOptions: Record<string, string> | null;
}

export interface EndpointAddress {
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  /** On `--ipv6` networks. */
  ipv6?: string;
  prefixLen6?: number;
  gateway6?: string;
}

export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

export class NetworkLayer {
  private readonly dns = new Map<string, DnsServer>();
  /** IPv6 networks' second DNS listener, on the v6 gateway (same records). */
  private readonly dns6 = new Map<string, DnsServer>();
  private readonly publisher: PortPublisher;

  private constructor(
    private readonly config: NetworkLayerConfig,
    private readonly store: NetworkStore,
    private readonly ipam: Ipam,
    hostPorts: HostPorts,
  ) {
    this.publisher = new PortPublisher(hostPorts, config.nftTable, () => this.nftBridges());
  }

  static async open(config: NetworkLayerConfig): Promise<NetworkLayer> {
    const store = new NetworkStore(path.join(config.root, 'networks'));
    await store.load();
    const [ipam, ports] = await Promise.all([Ipam.open(config.root), HostPorts.open(config.root)]);
    return new NetworkLayer(config, store, ipam, ports);
  }

  /** Built-in networks exist, every bridge is up with its DNS server; the table is applied by `restore`. */
  async init(): Promise<void> {
    await ensureIpForward();
    if (!this.store.find('bridge')) await this.createBuiltinBridge();
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!this.store.find(name)) await this.store.save(newRecord({ name, driver, builtin: true }));
    }
    // A crash between a pool's creation and its network's record leaves a pool nobody owns.
    const known = new Set(this.store.all().map((n) => n.id));
    for (const id of this.ipam.poolIds()) if (!known.has(id)) await this.ipam.releasePool(id);
    for (const rec of this.store.all()) if (rec.driver === 'bridge') await this.bringUp(rec);
    // A crash between a network's record removal and its teardown leaves its bridge.
    const bridges = new Set(this.store.all().map((n) => n.bridge));
    for (const link of await linksByAlias(this.bridgeAlias(''))) if (!bridges.has(link.ifname)) await deleteBridge(link.ifname);
  }

  /** Marks a bridge as this daemon's (its table name is unique per daemon on a host). */
  private bridgeAlias(networkId: string): string {
    return `${this.config.nftTable}:${networkId}`;
  }

  list(): NetworkRecord[] {
    return this.store.all();
  }

  find(ref: string): NetworkRecord | undefined {
    return this.store.find(ref);
  }

  get(ref: string): NetworkRecord {
    return this.store.get(ref);
  }

  async create(spec: CreateNetworkSpec): Promise<NetworkRecord> {
    if (!spec.name) throw new InvalidArgument('network name is required');
    if (this.store.all().some((n) => n.name === spec.name)) throw new Conflict(`network with name ${spec.name} already exists`);
    if (spec.driver === 'host' || spec.driver === 'null') throw new Forbidden(`only one instance of "${spec.driver}" network is allowed`);
    if (spec.driver !== 'bridge') throw new NotFound(`plugin "${spec.driver}" not found`);
    const bridge = spec.options[BRIDGE_NAME_OPTION] ?? '';
    if (bridge && this.store.all().some((n) => n.bridge === bridge)) throw new Conflict(`bridge name ${bridge} is already in use by another network`);
    const rec = newRecord({ name: spec.name, driver: 'bridge', builtin: false });
    Object.assign(rec, {
      bridge: bridge || `${this.config.bridgePrefix}${rec.id.slice(0, 15 - this.config.bridgePrefix.length)}`,
      internal: spec.internal,
      attachable: spec.attachable,
      labels: spec.labels,
      options: spec.options,
      ipamOptions: spec.ipamOptions,
    });
    const pool = await this.ipam.createPool(rec.id, {
      subnet: spec.subnet,
      gateway: spec.gateway,
      ipRange: spec.ipRange,
      routed: spec.subnet ? undefined : await hostRoutedSubnets(),
    });
    Object.assign(rec, { subnet: pool.subnet, gateway: pool.gateway, userSubnet: !!spec.subnet, ...(pool.ipRange ? { ipRange: pool.ipRange } : {}) });
    try {
      if (spec.enableIPv6) {
        const pool6 = await this.ipam.createPool6(rec.id, {
          subnet: spec.subnet6,
          gateway: spec.gateway6,
          ipRange: spec.ipRange6,
          routed: spec.subnet6 ? undefined : await hostRoutedSubnets6(),
        });
        Object.assign(rec, { enableIPv6: true, subnet6: pool6.subnet, gateway6: pool6.gateway, userSubnet6: !!spec.subnet6, ...(pool6.ipRange ? { ipRange6: pool6.ipRange } : {}) });
      }
      await this.bringUp(rec);
      await this.store.save(rec);
      await this.publisher.apply();
    } catch (err) {
      await this.tearDown(rec);
      throw err;
    }
    return rec;
  }

  /** The engine has checked that no container is attached. */
  async remove(ref: string): Promise<void> {
    const rec = this.store.get(ref);
    if (rec.builtin) throw new Forbidden(`${rec.name} is a pre-defined network and cannot be removed`);
    await this.store.remove(rec.id);
    await this.tearDown(rec);
    await this.publisher.apply();
  }

  /** Addresses for an endpoint: IPv4, and IPv6 on an `--ipv6` network (`ip`/`ip6`: `--ip`/`--ip6`). */
  async allocateAddress(networkId: string, endpointId: string, opts: { ip?: string; ip6?: string } = {}): Promise<EndpointAddress> {
    const rec = this.store.get(networkId);
    const ip = await this.ipam.allocate(rec.id, endpointId, { ip: opts.ip });
    const address: EndpointAddress = { ip, prefixLen: parseCidr(rec.subnet!).prefix, gateway: rec.gateway!, mac: macForIPv4(ip) };
    if (!rec.enableIPv6 || !rec.subnet6) return address;
    try {
      const ipv6 = await this.ipam.allocate6(rec.id, endpointId, { ip: opts.ip6 });
      return { ...address, ipv6, prefixLen6: parseCidr6(rec.subnet6).prefix, gateway6: rec.gateway6! };
    } catch (err) {
      await this.ipam.release(rec.id, endpointId);
      throw err;
    }
  }

  releaseAddress(networkId: string, endpointId: string): Promise<void> {
    return this.ipam.release(networkId, endpointId);
  }

  /**
   * A veth from the network's bridge into the netns of process `pid`; returns the host end's
   * name. Only the container's first network gives it a default route (Docker's gateway choice).
   */
  async attach(opts: { networkId: string; endpointId: string; pid: number; address: EndpointAddress; ifname: string; defaultRoute: boolean }): Promise<string> {
    const endpoint = this.endpointOptions(opts);
    await attachEndpoint({ ...endpoint, netns: { pid: opts.pid } });
    return endpoint.hostIfname;
  }

  /**
   * The same for a container whose netns does not exist yet: made at `file` with all its
   * endpoints (see createWiredNetns), before the runtime starts; returns the host ends' names.
   */
  attachInNewNetns(file: string, endpoints: { networkId: string; endpointId: string; address: EndpointAddress; ifname: string; defaultRoute: boolean }[]): { hostIfnames: string[]; ready: Promise<void>; wired: Promise<void> } {
    const opts = endpoints.map((e) => this.endpointOptions(e));
    return { hostIfnames: opts.map((o) => o.hostIfname), ...createWiredNetns(file, process.pid, opts) };
  }

  private endpointOptions(opts: { networkId: string; endpointId: string; address: EndpointAddress; ifname: string; defaultRoute: boolean }): Omit<EndpointOptions, 'netns'> {
    const rec = this.store.get(opts.networkId);
    return {
      bridge: rec.bridge!,
      hostIfname: hostVethName(opts.endpointId),
      address: `${opts.address.ip}/${opts.address.prefixLen}`,
      gateway: rec.internal || !opts.defaultRoute ? undefined : opts.address.gateway,
      ...(opts.address.ipv6 ? { address6: `${opts.address.ipv6}/${opts.address.prefixLen6}` } : {}),
      ...(opts.address.ipv6 && !rec.internal && opts.defaultRoute ? { gateway6: opts.address.gateway6 } : {}),
      ifname: opts.ifname,
      mac: opts.address.mac,
    };
  }

  /** `network disconnect` of a running container (a stopped one's veth went with its netns). */
  detach(hostIfname: string): Promise<void> {
    return detachEndpoint(hostIfname);
  }

  publish(owner: string, targets: PublishTargets, requests: readonly PublishRequest[]): Promise<PortMapping[]> {
    return this.publisher.publish(owner, targets, requests);
  }

  unpublish(owner: string): Promise<void> {
    return this.publisher.unpublish(owner);
  }

  /** The names a user network's DNS server answers (the default bridge has none, as in Docker). */
  /** `clientUpstreams`: containers' `--dns` servers, by the container's address on the network. */
  setDnsRecords(networkId: string, records: readonly DnsRecord[], clientUpstreams: ReadonlyMap<string, string[]> = new Map()): void {
    const upstreams = new Map([...clientUpstreams].map(([ip, servers]) => [ip, servers.map((address) => ({ address }))]));
    for (const server of [this.dns.get(networkId), this.dns6.get(networkId)]) {
      server?.setRecords(records);
      server?.setClientUpstreams(upstreams);
    }
  }

  /** The address containers on this network use as their resolver, if it has one. */
  dnsServer(networkId: string): string | undefined {
    return this.dns.has(networkId) ? this.store.get(networkId).gateway : undefined;
  }

  /** At wharfd start: keep what running containers hold (addresses, ports); free the rest. */
  async restore(live: { endpoints: ReadonlySet<string>; ports: ReadonlyMap<string, PortMapping[]> }): Promise<void> {
    await this.ipam.reconcile(live.endpoints);
    await this.publisher.restore(live.ports);
  }

  async close(): Promise<void> {
    await Promise.all([...this.dns.values(), ...this.dns6.values()].map((s) => s.close()));
    this.dns.clear();
    this.dns6.clear();
    await this.publisher.close();
  }

  private async createBuiltinBridge(): Promise<void> {
    const rec = newRecord({ name: 'bridge', driver: 'bridge', builtin: true });
    // As dockerd does with docker0: a bridge already there keeps its address (no second one).
    const given = this.config.bip ?? (await linkIPv4(this.config.defaultBridge));
    const bip = given ? parseBip(given) : undefined;
    const pool = await this.ipam.createPool(rec.id, { ...bip, routed: bip ? undefined : await hostRoutedSubnets() });
    Object.assign(rec, {
      bridge: this.config.defaultBridge,
      subnet: pool.subnet,
      gateway: pool.gateway,
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        [BRIDGE_NAME_OPTION]: this.config.defaultBridge,
        'com.docker.network.driver.mtu': '1500',
      },
    });
    await this.store.save(rec);
  }

  private async bringUp(rec: NetworkRecord): Promise<void> {
    await createBridge({
      name: rec.bridge!,
      address: `${rec.gateway}/${parseCidr(rec.subnet!).prefix}`,
      ...(rec.subnet6 ? { address6: `${rec.gateway6}/${parseCidr6(rec.subnet6).prefix}` } : {}),
      alias: this.bridgeAlias(rec.id),
    });
    await setRouteLocalnet(rec.bridge!);
    if (rec.builtin || this.dns.has(rec.id)) return;
    const upstreams = rec.internal ? [] : await this.upstreams();
    const server = new DnsServer({ address: rec.gateway!, networkName: rec.name, upstreams });
    await server.listen();
    this.dns.set(rec.id, server);
    if (rec.gateway6) {
      const server6 = new DnsServer({ address: rec.gateway6, networkName: rec.name, upstreams });
      await server6.listen();
      this.dns6.set(rec.id, server6);
    }
  }

  private async tearDown(rec: NetworkRecord): Promise<void> {
    await this.dns.get(rec.id)?.close();
    this.dns.delete(rec.id);
    await this.dns6.get(rec.id)?.close();
    this.dns6.delete(rec.id);
    if (rec.bridge) await deleteBridge(rec.bridge);
    await this.ipam.releasePool(rec.id);
  }

  private nftBridges(): NftBridge[] {
    return this.store
      .all()
      .filter((n) => n.driver === 'bridge' && n.bridge && n.subnet)
      .map((n) => ({ name: n.bridge!, subnet: n.subnet!, internal: n.internal, ...(n.subnet6 ? { subnet6: n.subnet6 } : {}) }));
  }

  private async upstreams(): Promise<Upstream[]> {
    const text = await fs.readFile(this.config.resolvConf ?? '/etc/resolv.conf', 'utf8').catch(() => '');
    return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => ({ address: m[1] }));
  }
}

function newRecord(opts: { name: string; driver: NetworkRecord['driver']; builtin: boolean }): NetworkRecord {
  return {
    version: NETWORK_RECORD_VERSION,
    id: randomBytes(32).toString('hex'),
    name: opts.name,
    driver: opts.driver,
    created: new Date().toISOString(),
    internal: false,
    attachable: false,
    labels: {},
    options: {},
    ipamOptions: null,
    builtin: opts.builtin,
  };
}

/** `--bip 172.17.0.1/16`: the gateway with its prefix. */
function parseBip(bip: string): { subnet: string; gateway: string } {
  const [gateway, prefix] = bip.split('/');
  if (!prefix) throw new InvalidArgument(`invalid bip ${bip}: want an address with a prefix, e.g. 172.17.0.1/16`);
  parseCidr(bip);
  return { subnet: bip, gateway };
}
