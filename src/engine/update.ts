// `docker update`: new resource limits and restart policy for an existing container.
// The request is validated as at create (moby's verifyContainerSettings, update mode),
// merged into the record by moby's rules (container_unix.go UpdateContainer: a zero
// field keeps the current value), applied live with `runc update` when the container is
// running, and only then persisted: a refused `runc update` changes nothing.
import type { HostConfig, RestartPolicy } from '../contract/index.js';
import { Conflict, InvalidArgument, withContext } from '../errdefs/index.js';
import type { KeyedMutex } from '../store/index.js';
import { isActive } from './container.js';
import { containerAttributes } from './create.js';
import type { EngineDeps } from './deps.js';
import { hostResources, ociResources, validateResources, type ResourceFields } from './resources.js';

export type UpdateRequest = ResourceFields & { RestartPolicy?: RestartPolicy };

const cannot = (id: string, message: string): Conflict => new Conflict(`Cannot update container ${id}: ${message}`);

/** moby's checks that a new value does not fight one already set. */
function mergeResources(id: string, cur: ResourceFields, req: ResourceFields): ResourceFields {
  const next: ResourceFields = { ...cur };
  const n = (v: number | undefined): number => v ?? 0;
  if (n(req.NanoCpus) > 0 && n(cur.CpuPeriod) > 0) throw cannot(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (n(req.NanoCpus) > 0 && n(cur.CpuQuota) > 0) throw cannot(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (n(req.CpuPeriod) > 0 && n(cur.NanoCpus) > 0) throw cannot(id, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (n(req.CpuQuota) > 0 && n(cur.NanoCpus) > 0) throw cannot(id, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  for (const k of ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'MemoryReservation'] as const) {
    if (n(req[k]) !== 0) next[k] = req[k];
  }
  if (req.CpusetCpus) next.CpusetCpus = req.CpusetCpus;
  if (req.CpusetMems) next.CpusetMems = req.CpusetMems;
  if (n(req.Memory) !== 0) {
    if (n(req.Memory) > n(cur.MemorySwap) && n(req.MemorySwap) === 0) {
      throw cannot(id, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    next.Memory = req.Memory;
  }
  if (n(req.MemorySwap) !== 0) next.MemorySwap = req.MemorySwap;
  if (req.PidsLimit !== undefined && req.PidsLimit !== null) next.PidsLimit = req.PidsLimit;
  return next;
}

/** What `runc update` gets: the whole merged set, so its order of writes is runc's to choose. */
function liveResources(r: ResourceFields) {
  const oci = ociResources(r);
  if (r.MemorySwap === -1 && oci.memory) oci.memory.swap = -1;
  delete oci.memory?.disableOOMKiller; // not updatable; runc refuses nothing but ignores it
  delete oci.memory?.swappiness;
  return oci;
}

export async function updateContainer(deps: EngineDeps, locks: KeyedMutex, ref: string, body: UpdateRequest): Promise<{ Warnings: string[] }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidArgument('invalid update configuration: body must be a JSON object');
  const rec = deps.store.get(ref);
  const id = rec.spec.id;
  const warnings = validateResources(body, hostResources(), { update: true });
  const rp = body.RestartPolicy;
  if (rp?.Name && !['no', 'always', 'unless-stopped', 'on-failure'].includes(rp.Name)) {
    throw new InvalidArgument(`invalid restart policy: unknown policy '${rp.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  await locks.run(id, async () => {
    const hc = rec.spec.hostConfig as HostConfig & ResourceFields;
    const next = mergeResources(id, hc, body);
    // The merged result must hold too (e.g. a new memory above the kept swap).
    validateResources({ ...next, Ulimits: null, ShmSize: 0 }, hostResources(), { update: true });
    if (rp?.Name) {
      if (hc.AutoRemove && rp.Name !== 'no') throw cannot(id, 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    if (isActive(rec.state) && rec.state.status !== 'restarting') {
      await deps.runtime.update(id, liveResources(next)).catch((err: unknown) => {
        throw withContext(err, `Cannot update container ${id}`);
      });
    }
    Object.assign(hc, next);
    if (rp?.Name) hc.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
    await deps.store.save(rec);
  });
  deps.events.publish('container', 'update', id, containerAttributes(rec));
  return { Warnings: warnings };
}
