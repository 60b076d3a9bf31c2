// Networks as the API sees them (NetworkOps), and containers' endpoints on them.
//
// A container on bridge networks gets, at each start: an address per network (prepare,
// before `runc create`, so /etc/hosts can name it), its published ports (prepare too, so a
// busy port refuses the start before anything runs), then its netns with veths into it
// (wireNewNetns, made while `runc create` runs, which joins it). At exit the addresses and
// ports are released; the veths die with the netns, once its mount is gone. The endpoints live in the container's record, so
// a restarted wharfd gives the network layer back what running containers hold.
import { randomBytes } from 'node:crypto';
import type {
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkInspect,
  NetworkPruneResponse,
} from '../contract/index.js';
import { Conflict, Forbidden, InvalidArgument, NotFound } from '../errdefs/index.js';
import type { DnsRecord, NetworkLayer, NetworkRecord, PortMapping, PublishRequest } from '../network/index.js';
import { isActive, shortId, type ContainerRecord, type EndpointConfigRecord, type EndpointStateRecord } from './container.js';
import type { ContainerStore } from './container-store.js';
import type { EventBus } from './events.js';
import { matchLabels, parseUntil } from './filters.js';
import { toCreateSpec } from './network-create.js';
import type { NetworkFilters, NetworkOps } from './network-ops.js';
import { dnsNames, networkInspect } from './network-view.js';

export class NetworkManager implements NetworkOps {
  constructor(
    readonly layer: NetworkLayer,
    private readonly store: ContainerStore,
    private readonly events: EventBus,
  ) {}

  // ---- NetworkOps -------------------------------------------------------------------

  list(filters: NetworkFilters): NetworkInspect[] {
    const match = networkFilter(filters, (rec) => this.attached(rec.id).length > 0);
    return this.layer.list().filter(match).map((n) => this.view(n));
  }

  inspect(ref: string): NetworkInspect {
    return this.view(this.layer.get(ref));
  }

  async create(req: NetworkCreateRequest): Promise<NetworkCreateResponse> {
    const rec = await this.layer.create(toCreateSpec(req));
    this.events.publish('network', 'create', rec.id, { name: rec.name, type: rec.driver });
    return { Id: rec.id, Warning: '' };
  }

  async remove(ref: string): Promise<void> {
    const rec = this.layer.get(ref);
    const running = this.attached(rec.id);
    if (running.length) {
      const list = running.map((c) => `name:"${c.spec.name}" id:"${shortId(c.spec.id)}"`).join(', ');
      throw new Forbidden(`error while removing network: network ${rec.name} has active endpoints (${list})`);
    }
    await this.layer.remove(rec.id);
    this.events.publish('network', 'destroy', rec.id, { name: rec.name, type: rec.driver });
  }

  async prune(filters: NetworkFilters): Promise<NetworkPruneResponse> {
    for (const key of Object.keys(filters)) if (!['label', 'label!', 'until'].includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    const until = filters.until?.[0] ? parseUntil(filters.until[0]) : undefined;
    const deleted: string[] = [];
    for (const rec of this.layer.list()) {
      if (rec.builtin || this.attached(rec.id).length) continue;
      if (!matchLabels(rec.labels, filters.label)) continue;
      if (filters['label!']?.some((l) => matchLabels(rec.labels, [l]))) continue;
      if (until !== undefined && Date.parse(rec.created) >= until) continue;
      await this.remove(rec.id);
      deleted.push(rec.name);
    }
    return { NetworksDeleted: deleted };
  }

  async connect(ref: string, req: NetworkConnectRequest): Promise<void> {
    const net = this.layer.get(ref);
    const ctr = this.container(req?.Container);
    const mode = ctr.spec.hostConfig.NetworkMode ?? 'bridge';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:') || net.driver !== 'bridge') {
      throw new Forbidden('container cannot be disconnected from host network or connected to host network');
    }
    if ((ctr.spec.networks ?? []).some((e) => e.networkId === net.id)) {
      throw new Forbidden(`endpoint with name ${ctr.spec.name} already exists in network ${net.name}`);
    }
    const cfg = endpointConfig(net, req.EndpointConfig ?? {});
    ctr.spec.networks = [...(ctr.spec.networks ?? []), cfg];
    if (isActive(ctr.state) && ctr.state.pid) {
      try {
        const ep = await this.allocate(ctr, cfg);
        const used = new Set(Object.values(ctr.state.endpoints ?? {}).map((e) => e.ifname));
        ep.ifname = `eth${[...Array(used.size + 1).keys()].find((n) => !used.has(`eth${n}`))}`;
        ctr.state.endpoints = { ...(ctr.state.endpoints ?? {}), [net.id]: ep };
        ep.hostIfname = await this.layer.attach({ networkId: net.id, endpointId: ep.endpointId, pid: ctr.state.pid, address: ep, ifname: ep.ifname, defaultRoute: !this.hasDefaultRoute(ctr, net.id) });
      } catch (err) {
        ctr.spec.networks = ctr.spec.networks.filter((e) => e !== cfg);
        await this.dropEndpoint(ctr, net.id);
        throw err;
      }
      this.refreshDns(net.id);
    }
    await this.store.save(ctr);
    this.events.publish('network', 'connect', net.id, { container: ctr.spec.id, name: net.name, type: net.driver });
  }

  async disconnect(ref: string, req: NetworkDisconnectRequest): Promise<void> {
    const net = this.layer.get(ref);
    const ctr = this.container(req?.Container);
    if (!(ctr.spec.networks ?? []).some((e) => e.networkId === net.id)) {
      throw new Forbidden(`container ${ctr.spec.id} is not connected to network ${net.name}`);
    }
    ctr.spec.networks = (ctr.spec.networks ?? []).filter((e) => e.networkId !== net.id);
    const ep = ctr.state.endpoints?.[net.id];
    if (ep) {
      await this.layer.detach(ep.hostIfname);
      if (ctr.state.ports?.some((p) => p.containerIp === ep.ip)) {
        await this.layer.unpublish(ctr.spec.id);
        ctr.state.ports = [];
      }
      await this.dropEndpoint(ctr, net.id);
      this.refreshDns(net.id);
    }
    await this.store.save(ctr);
    this.events.publish('network', 'disconnect', net.id, { container: ctr.spec.id, name: net.name, type: net.driver });
  }

  // ---- containers' endpoints ------------------------------------------------------------

  /**
   * At create: the networks a container is on, from NetworkMode and EndpointsConfig.
   * `host` and `none` are listed (inspect shows them) but get no endpoint; `container:<x>`
   * has none of its own.
   */
  endpointsFor(mode: string, endpointsConfig: Record<string, unknown> | null | undefined): EndpointConfigRecord[] | undefined {
    if (mode.startsWith('container:')) {
      if (endpointsConfig && Object.keys(endpointsConfig).length) throw new InvalidArgument('conflicting options: container type network can\'t be used with other networks');
      return undefined;
    }
    const given = endpointsConfig ?? {};
    const primary = this.layer.find(mode);
    const out = [endpointConfig(primary ?? mode, (given[mode] ?? (primary && (given[primary.name] ?? given[primary.id])) ?? given.default ?? {}) as object)];
    for (const ref of Object.keys(given)) {
      if (ref === 'default' || ref === mode) continue;
      const net = this.layer.find(ref);
      if (net && net.id === primary?.id) continue;
      if ((net && net.driver !== 'bridge') || (primary && primary.driver !== 'bridge')) throw new InvalidArgument('Container cannot be connected to network endpoints');
      out.push(endpointConfig(net ?? ref, (given[ref] ?? {}) as object));
    }
    return out;
  }

  /**
   * Before `runc create`: addresses on every network and the published ports. All or
   * nothing: on failure what was taken is given back. Returns the primary address.
   */
  async prepare(ctr: ContainerRecord): Promise<EndpointStateRecord | undefined> {
    // Networks are looked up now, as Docker does at start: one named at create may have been
    // created since, or removed.
    for (const cfg of ctr.spec.networks ?? []) {
      const net = this.layer.find(cfg.networkId || cfg.networkName);
      if (!net) throw new NotFound(`network ${cfg.networkName} not found`);
      cfg.networkId = net.id;
    }
    const configs = (ctr.spec.networks ?? []).filter((c) => this.layer.get(c.networkId).driver === 'bridge');
    if (!configs.length) return undefined;
    ctr.state.endpoints = {};
    ctr.state.ports = [];
    try {
      for (const cfg of configs) ctr.state.endpoints[cfg.networkId] = await this.allocate(ctr, cfg);
      const primary = ctr.state.endpoints[configs[0].networkId];
      const targets = { ipv4: primary.ip, ...(primary.ipv6 ? { ipv6: primary.ipv6 } : {}) };
      ctr.state.ports = await this.layer.publish(ctr.spec.id, targets, publishRequests(ctr)).catch((err: Error) => {
        // Docker names the endpoint when the host refuses the port.
        if (!/^Error starting userland proxy/.test(err.message)) throw err;
        throw new Conflict(`driver failed programming external connectivity on endpoint ${ctr.spec.name} (${primary.endpointId}): ${err.message}`);
      });
      return primary;
    } catch (err) {
      await this.release(ctr);
      throw err;
    }
  }

  /**
   * Before `runc create`: the container's netns is made at `file` with its veths, and runc
   * joins it. `ready`: the netns exists; `wired`: the veths are in place.
   * Undefined when the container has no endpoint (then runc makes its netns).
   */
  wireNewNetns(ctr: ContainerRecord, file: string): { ready: Promise<void>; wired: Promise<void> } | undefined {
    if (!ctr.state.endpoints) return undefined;
    const endpoints = (ctr.spec.networks ?? []).flatMap((cfg, i) => {
      const ep = ctr.state.endpoints?.[cfg.networkId];
      if (!ep) return [];
      ep.ifname = `eth${i}`;
      return [{ ep, cfg, attach: { networkId: cfg.networkId, endpointId: ep.endpointId, address: ep, ifname: ep.ifname, defaultRoute: i === 0 } }];
    });
    if (!endpoints.length) return undefined;
    const made = this.layer.attachInNewNetns(file, endpoints.map((e) => e.attach));
    const wired = made.wired.then(() => {
      endpoints.forEach((e, i) => (e.ep.hostIfname = made.hostIfnames[i]!));
      for (const e of endpoints) this.refreshDns(e.cfg.networkId);
    });
    wired.catch(() => undefined); // awaited by the caller after runc create
    return { ready: made.ready, wired };
  }

  /** After an exit or a failed start: ports and addresses go back; DNS forgets the names. */
  async release(ctr: ContainerRecord): Promise<void> {
    const ids = Object.keys(ctr.state.endpoints ?? {});
    if (!ids.length && !ctr.state.ports?.length) return;
    await this.layer.unpublish(ctr.spec.id);
    ctr.state.ports = [];
    for (const id of ids) await this.dropEndpoint(ctr, id);
    for (const id of ids) this.refreshDns(id);
  }

  /** `--add-host x:host-gateway`: the default bridge's gateway, as Docker resolves it. */
  hostGateway(): string | undefined {
    return this.layer.find('bridge')?.gateway;
  }

  /** Resolver for the container's resolv.conf: the DNS server of its first user network. */
  dnsServerFor(ctr: ContainerRecord): string | undefined {
    const first = ctr.spec.networks?.[0];
    return first ? this.layer.dnsServer(first.networkId) : undefined;
  }

  /** At wharfd start, after the containers are reconciled: what running containers hold stays. */
  async restore(): Promise<void> {
    const endpoints = new Set<string>();
    const ports = new Map<string, PortMapping[]>();
    for (const ctr of this.store.list()) {
      if (!isActive(ctr.state) || ctr.state.status === 'restarting') continue;
      for (const ep of Object.values(ctr.state.endpoints ?? {})) endpoints.add(ep.endpointId);
      if (ctr.state.ports?.length) ports.set(ctr.spec.id, ctr.state.ports);
    }
    await this.layer.restore({ endpoints, ports });
    for (const net of this.layer.list()) this.refreshDns(net.id);
  }

  // ---- helpers --------------------------------------------------------------------------

  private async allocate(ctr: ContainerRecord, cfg: EndpointConfigRecord): Promise<EndpointStateRecord> {
    const endpointId = randomBytes(32).toString('hex');
    const address = await this.layer.allocateAddress(cfg.networkId, endpointId, { ip: cfg.ipv4, ip6: cfg.ipv6 });
    return { ...address, endpointId, hostIfname: '', ifname: '' };
  }

  /** Whether another live endpoint already routes the container's traffic out. */
  private hasDefaultRoute(ctr: ContainerRecord, except: string): boolean {
    return Object.keys(ctr.state.endpoints ?? {}).some((id) => id !== except && !this.layer.find(id)?.internal);
  }

  private async dropEndpoint(ctr: ContainerRecord, networkId: string): Promise<void> {
    const ep = ctr.state.endpoints?.[networkId];
    if (!ep) return;
    delete ctr.state.endpoints![networkId];
    await this.layer.releaseAddress(networkId, ep.endpointId);
  }

  private refreshDns(networkId: string): void {
    const records: DnsRecord[] = [];
    const clientUpstreams = new Map<string, string[]>();
    for (const ctr of this.store.list()) {
      // Endpoints exist from `prepare` until `release`: the one being wired counts already,
      // though its state says "running" only once runc has started it.
      const ep = ctr.state.endpoints?.[networkId];
      if (!ep?.hostIfname) continue;
      records.push({ names: dnsNames(ctr, networkId), ipv4: ep.ip, ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}) });
      // `--dns` on a user network: the embedded server forwards this container's queries there.
      const dns = ctr.spec.hostConfig.Dns ?? [];
      if (dns.length) for (const ip of [ep.ip, ep.ipv6]) if (ip) clientUpstreams.set(ip, dns);
    }
    this.layer.setDnsRecords(networkId, records, clientUpstreams);
  }

  /** Running containers with an endpoint on the network. */
  private attached(networkId: string): ContainerRecord[] {
    return this.store.list().filter((c) => isActive(c.state) && c.state.endpoints?.[networkId]);
  }

  private container(ref: unknown): ContainerRecord {
    if (typeof ref !== 'string' || !ref) throw new InvalidArgument('Container is required');
    return this.store.get(ref);
  }

  private view(rec: NetworkRecord): NetworkInspect {
    return networkInspect(rec, this.attached(rec.id));
  }
}

/** What a container asks of one network; a network not (yet) known is looked up at start. */
function endpointConfig(net: NetworkRecord | string, settings: { Aliases?: unknown; IPAMConfig?: unknown }): EndpointConfigRecord {
  const aliases = Array.isArray(settings.Aliases) ? settings.Aliases.filter((a): a is string => typeof a === 'string') : [];
  const ipam = (settings.IPAMConfig ?? {}) as { IPv4Address?: unknown; IPv6Address?: unknown };
  const ipv4 = typeof ipam.IPv4Address === 'string' && ipam.IPv4Address ? ipam.IPv4Address : undefined;
  const ipv6 = typeof ipam.IPv6Address === 'string' && ipam.IPv6Address ? ipam.IPv6Address : undefined;
  const asked = { ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) };
  if (typeof net === 'string') return { networkId: '', networkName: net, aliases, ...asked };
  if (net.builtin && aliases.length) throw new InvalidArgument('network-scoped alias is supported only for containers in user defined networks');
  if (net.builtin && (ipv4 || ipv6)) throw new InvalidArgument('user specified IP address is supported on user defined networks only');
  if (ipv4 && !net.userSubnet) throw new InvalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
  if (ipv6 && !net.userSubnet6) throw new InvalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
  return { networkId: net.id, networkName: net.name, aliases, ...asked };
}

/** HostConfig.PortBindings (and `-P`'s ExposedPorts) as requests to the network layer. */
function publishRequests(ctr: ContainerRecord): PublishRequest[] {
  const out: PublishRequest[] = [];
  const bindings = ctr.spec.hostConfig.PortBindings ?? {};
  const keys = new Set(Object.keys(bindings));
  if (ctr.spec.hostConfig.PublishAllPorts) for (const k of Object.keys(ctr.spec.config.ExposedPorts ?? {})) keys.add(k);
  for (const key of keys) {
    const [port, proto = 'tcp'] = key.split('/');
    if (proto !== 'tcp' && proto !== 'udp') continue; // sctp: not supported by this driver
    const list = bindings[key]?.length ? bindings[key]! : [{}];
    for (const b of list) {
      const [first, last] = (b.HostPort ?? '').split('-').map((p) => (p ? Number(p) : 0));
      if (!Number.isInteger(first) || first < 0 || first > 65535 || (last !== undefined && !(last >= first && last <= 65535))) {
        throw new InvalidArgument(`invalid host port: ${b.HostPort}`);
      }
      out.push({ proto, containerPort: Number(port), hostIp: b.HostIp ?? '', hostPort: first, ...(last ? { hostPortEnd: last } : {}) });
    }
  }
  return out;
}

function networkFilter(filters: NetworkFilters, inUse: (rec: NetworkRecord) => boolean): (rec: NetworkRecord) => boolean {
  const allowed = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];
  for (const key of Object.keys(filters)) if (!allowed.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
  for (const t of filters.type ?? []) if (t !== 'custom' && t !== 'builtin') throw new InvalidArgument(`invalid filter: 'type'='${t}'`);
  return (rec) => {
    if (filters.driver && !filters.driver.includes(rec.driver)) return false;
    if (filters.id && !filters.id.some((v) => rec.id.startsWith(v))) return false;
    if (filters.name && !filters.name.some((v) => rec.name.includes(v))) return false;
    if (filters.scope && !filters.scope.includes('local')) return false;
    if (filters.type && !filters.type.includes(rec.builtin ? 'builtin' : 'custom')) return false;
    if (filters.label && !matchLabels(rec.labels, filters.label)) return false;
    if (filters.dangling) {
      const want = filters.dangling[0] === 'true' || filters.dangling[0] === '1';
      if (want !== (!rec.builtin && !inUse(rec))) return false;
    }
    return true;
  };
}
