// What the API's /networks routes call: the engine's view of networks, in Engine API shapes.
// Implemented by NetworkManager (networks.ts), which joins container endpoints to the network
// layer's bridges, addresses, DNS and published ports.
import type {
  NetworkConnectRequest,
  NetworkCreateRequest,
  NetworkCreateResponse,
  NetworkDisconnectRequest,
  NetworkInspect,
  NetworkPruneResponse,
} from '../contract/index.js';

/** Docker's filter map: key → accepted values (`?filters={"label":["a=b"]}`). */
export type NetworkFilters = Record<string, string[]>;

export interface NetworkOps {
  /** `GET /networks`: filters driver, id, label, name, scope, type (custom|builtin), dangling. */
  list(filters: NetworkFilters): NetworkInspect[];
  /** `GET /networks/{id}`: by full name, full ID or unique ID prefix. */
  inspect(ref: string): NetworkInspect;
  create(req: NetworkCreateRequest): Promise<NetworkCreateResponse>;
  remove(ref: string): Promise<void>;
  prune(filters: NetworkFilters): Promise<NetworkPruneResponse>;
  connect(ref: string, req: NetworkConnectRequest): Promise<void>;
  disconnect(ref: string, req: NetworkDisconnectRequest): Promise<void>;
}
