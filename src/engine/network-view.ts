// Docker's JSON views of networking: a network's inspect (with its running containers) and a
// container's NetworkSettings.
import type { EndpointSettings, NetworkInspect, PortBinding } from '../contract/index.js';
import type { NetworkRecord } from '../network/index.js';
import { shortId, type ContainerRecord } from './container.js';

export function networkInspect(rec: NetworkRecord, attached: ContainerRecord[]): NetworkInspect {
  const containers: NetworkInspect['Containers'] = {};
  for (const c of attached) {
    const ep = c.state.endpoints?.[rec.id];
    if (!ep) continue;
    containers[c.spec.id] = {
      Name: c.spec.name,
      EndpointID: ep.endpointId,
      MacAddress: ep.mac,
      IPv4Address: `${ep.ip}/${ep.prefixLen}`,
      IPv6Address: ep.ipv6 ? `${ep.ipv6}/${ep.prefixLen6}` : '',
    };
  }
  return {
    Name: rec.name,
    Id: rec.id,
    Created: rec.created,
    Scope: 'local',
    Driver: rec.driver,
    EnableIPv4: rec.driver === 'bridge',
    EnableIPv6: !!rec.enableIPv6,
    IPAM: {
      Driver: 'default',
      Options: rec.builtin ? null : (rec.ipamOptions ?? {}),
      Config: [
        ...(rec.subnet ? [{ Subnet: rec.subnet, ...(rec.ipRange ? { IPRange: rec.ipRange } : {}), Gateway: rec.gateway }] : []),
        ...(rec.subnet6 ? [{ Subnet: rec.subnet6, ...(rec.ipRange6 ? { IPRange: rec.ipRange6 } : {}), Gateway: rec.gateway6 }] : []),
      ],
    },
    Internal: rec.internal,
    Attachable: rec.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: rec.options,
    Labels: rec.labels,
  };
}

/** NetworkSettings.Ports: every exposed or published port; unpublished ones map to null. */
export function portsView(rec: ContainerRecord): Record<string, PortBinding[] | null> {
  const out: Record<string, PortBinding[] | null> = {};
  if (rec.state.status !== 'running' && rec.state.status !== 'paused') return out;
  for (const key of Object.keys(rec.spec.config.ExposedPorts ?? {})) out[key] = null;
  for (const m of rec.state.ports ?? []) {
    const key = `${m.containerPort}/${m.proto}`;
    (out[key] ??= []).push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
  }
  return out;
}

/** NetworkSettings.Networks: every network the container is on, live values while running. */
export function endpointsView(rec: ContainerRecord): Record<string, EndpointSettings> {
  const out: Record<string, EndpointSettings> = {};
  for (const cfg of rec.spec.networks ?? []) {
    const ep = rec.state.endpoints?.[cfg.networkId];
    out[cfg.networkName] = {
      IPAMConfig: cfg.ipv4 || cfg.ipv6 ? { ...(cfg.ipv4 ? { IPv4Address: cfg.ipv4 } : {}), ...(cfg.ipv6 ? { IPv6Address: cfg.ipv6 } : {}) } : null,
      Links: null,
      Aliases: cfg.aliases.length ? cfg.aliases : null,
      MacAddress: ep?.mac ?? '',
      DriverOpts: null,
      GwPriority: 0,
      NetworkID: cfg.networkId,
      EndpointID: ep?.endpointId ?? '',
      Gateway: ep?.gateway ?? '',
      IPAddress: ep?.ip ?? '',
      IPPrefixLen: ep?.prefixLen ?? 0,
      IPv6Gateway: ep?.gateway6 ?? '',
      GlobalIPv6Address: ep?.ipv6 ?? '',
      GlobalIPv6PrefixLen: ep?.prefixLen6 ?? 0,
      // The default bridge has no DNS, so no names (as on Docker).
      DNSNames: ep && cfg.networkName !== 'bridge' ? dnsNames(rec, cfg.networkId) : null,
    };
  }
  return out;
}


/** Docker's DNSNames: the container's name, its aliases on the network, its short ID. */
export function dnsNames(ctr: ContainerRecord, networkId: string): string[] {
  const cfg = ctr.spec.networks?.find((e) => e.networkId === networkId);
  return [ctr.spec.name, ...(cfg?.aliases ?? []), shortId(ctr.spec.id)];
}

/** The deprecated top-level NetworkSettings fields: the default bridge's endpoint, as Docker fills them. */
export function networkSettingsView(rec: ContainerRecord) {
  const networks = endpointsView(rec);
  const bridge = networks.bridge;
  const running = rec.state.status === 'running' || rec.state.status === 'paused';
  return {
    Bridge: '', SandboxID: running && rec.state.endpoints ? rec.spec.id : '', SandboxKey: running && rec.state.pid ? `/proc/${rec.state.pid}/ns/net` : '',
    HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
    Ports: portsView(rec), SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: bridge?.EndpointID ?? '', Gateway: bridge?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.IPAddress ?? '', IPPrefixLen: bridge?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: bridge?.MacAddress ?? '',
    Networks: networks,
  };
}

/** `ps`'s Ports: published mappings, then exposed ports nobody published. */
export function summaryPorts(rec: ContainerRecord): { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] {
  const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
  for (const [key, bindings] of Object.entries(portsView(rec))) {
    const [port, proto = 'tcp'] = key.split('/');
    if (!bindings) out.push({ PrivatePort: Number(port), Type: proto });
    else for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}
