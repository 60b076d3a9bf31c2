// Network records: one JSON file per network, `<root>/networks/<id>.json` (layout v1),
// written atomically, loaded whole at start. Lookup follows Docker: full ID, then exact
// name, then a unique ID prefix.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NotFound, InvalidArgument } from '../errdefs/index.js';
import { readJson, writeJsonAtomic } from '../store/index.js';

export const NETWORK_RECORD_VERSION = 1;

export type NetworkDriverName = 'bridge' | 'host' | 'null';

export interface NetworkRecord {
  version: number;
  id: string;
  name: string;
  driver: NetworkDriverName;
  created: string;
  /** The Linux bridge, for the bridge driver. */
  bridge?: string;
  /** IPv4 subnet and gateway, for the bridge driver (the pool itself lives in IPAM). */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** The subnet was given (`--subnet`): only then may containers ask for an address (`--ip`). */
  userSubnet?: boolean;
  /** `--ipv6`: dual stack, with this v6 subnet and gateway (the pool lives in IPAM). */
  enableIPv6?: boolean;
  subnet6?: string;
  gateway6?: string;
  ipRange6?: string;
  /** A v6 subnet was given: only then may containers ask for a v6 address (`--ip6`). */
  userSubnet6?: boolean;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipamOptions: Record<string, string> | null;
  /** `bridge`, `host` and `none`: made by wharfd, never removed. */
  builtin: boolean;
}

export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>();

  constructor(private readonly dir: string) {}

  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    for (const file of await fs.readdir(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const rec = await readJson<NetworkRecord>(path.join(this.dir, file));
      if (rec?.id) this.byId.set(rec.id, rec);
    }
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  find(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const named = this.all().find((n) => n.name === ref);
    if (named) return named;
    const prefixed = this.all().filter((n) => n.id.startsWith(ref));
    if (prefixed.length > 1) throw new InvalidArgument(`network ${ref} is ambiguous (${prefixed.length} matches found based on ID prefix)`);
    return prefixed[0];
  }

  get(ref: string): NetworkRecord {
    const rec = this.find(ref);
    if (!rec) throw new NotFound(`network ${ref} not found`);
    return rec;
  }

  async save(rec: NetworkRecord): Promise<void> {
    await writeJsonAtomic(path.join(this.dir, `${rec.id}.json`), rec);
    this.byId.set(rec.id, rec);
  }

  async remove(id: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
    this.byId.delete(id);
  }
}
