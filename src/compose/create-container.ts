// A compose container gets its primary network at create and the others by a connect each
// (the API takes one network at create). A connect that fails would leave a container with
// only some of its networks, which a later `up` takes as up to date: it is removed before
// the error goes on.
import type { EngineClient } from '../client/index.js';
import { connectNetwork } from '../client/index.js';
import type { CreateRequest } from './convert.js';

/** Connects the just-created container `id` to its further networks; on failure removes it. */
export async function connectOrRemove(c: EngineClient, id: string, more: CreateRequest['more']): Promise<void> {
  try {
    for (const m of more) await connectNetwork(c, m.network, id, m.endpoint);
  } catch (e) {
    await c.removeContainer(id, { force: true }).catch(() => undefined);
    throw e;
  }
}
