// The one container a per-container command acts on (exec, port, cp): a service's
// replica by `--index` (compose v2's getSpecifiedContainer), running ones unless told.
import type { ContainerSummary, EngineClient } from '../client/index.js';
import { NotFound } from '../errdefs/index.js';
import { number, projectContainers } from './containers.js';

export interface PickOptions {
  /** Container number; 0 or absent: the lowest-numbered one. */
  index?: number;
  /** Stopped containers count too (cp does; exec and port do not). */
  all?: boolean;
  /** Include `compose run` containers (compose v2's oneOffInclude). */
  oneoff?: boolean;
}

export async function serviceContainer(c: EngineClient, project: string, service: string, o: PickOptions = {}): Promise<ContainerSummary> {
  const list = await projectContainers(c, project, { all: o.all ?? false, services: [service], oneoff: o.oneoff ? 'any' : false });
  const replicas = list.filter((x) => x.Labels?.['com.docker.compose.oneoff'] !== 'True');
  const pool = replicas.length ? replicas : list;
  if (o.index) {
    const x = pool.find((y) => number(y) === o.index);
    if (!x) throw new NotFound(`service "${service}" is not running container #${o.index}`);
    return x;
  }
  const first = [...pool].sort((a, b) => number(a) - number(b))[0];
  if (!first) throw new NotFound(`service "${service}" is not running`);
  return first;
}
