// What the API's pull, push and /auth routes call: a registry client (src/distribution,
// wired by src/daemon/wire.ts) working on this engine's image store.
import type { AuthConfig, JsonProgressMessage, SystemAuthResponse } from '../contract/index.js';

export interface RegistryOps {
  /** reference "NAME[:TAG|@DIGEST]"; `allTags` pulls every tag of NAME. */
  pull(opts: { reference: string; platform?: string; allTags?: boolean; auth?: AuthConfig; progress: (m: JsonProgressMessage) => void; signal?: AbortSignal }): Promise<void>;
  /** reference "NAME[:TAG]"; without a tag every local tag of NAME goes. */
  push(opts: { reference: string; auth?: AuthConfig; progress: (m: JsonProgressMessage) => void; signal?: AbortSignal }): Promise<void>;
  login(auth: AuthConfig, signal?: AbortSignal): Promise<SystemAuthResponse>;
}
