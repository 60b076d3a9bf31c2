// The containers of a project, found by compose's labels (so those made by Compose v2
// count too), in service then container-number order.
import type { ContainerSummary, EngineClient } from '../client/index.js';
import * as L from './labels.js';

export interface ListOptions { all?: boolean; services?: string[]; oneoff?: boolean | 'any' }

export async function projectContainers(c: EngineClient, project: string, o: ListOptions = {}): Promise<ContainerSummary[]> {
  const label = [L.projectFilter(project)];
  if (o.oneoff !== 'any') label.push(`${L.ONEOFF}=${o.oneoff ? 'True' : 'False'}`);
  const list = await c.listContainers({ all: o.all ?? false, filters: { label } });
  return list
    .filter((x) => !o.services?.length || o.services.includes(x.Labels?.[L.SERVICE] ?? ''))
    .sort((a, b) => cmp(a.Labels?.[L.SERVICE] ?? '', b.Labels?.[L.SERVICE] ?? '') || number(a) - number(b) || cmp(name(a), name(b)));
}

export const number = (x: ContainerSummary): number => Number(x.Labels?.[L.CONTAINER_NUMBER] ?? 0);
export const serviceOf = (x: ContainerSummary): string => x.Labels?.[L.SERVICE] ?? '';
export const name = (x: ContainerSummary): string => (x.Names?.[0] ?? '').replace(/^\//, '');
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
