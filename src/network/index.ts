// The network layer's public face: what src/engine and src/daemon use.
export { NetworkLayer, BRIDGE_NAME_OPTION, type NetworkLayerConfig, type CreateNetworkSpec, type EndpointAddress } from './service.js';
export type { NetworkRecord } from './network-store.js';
export type { PortMapping, PublishRequest, PublishTargets } from './port-publisher.js';
export type { DnsRecord } from './dns/index.js';
