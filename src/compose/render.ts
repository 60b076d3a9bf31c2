// `compose config`: the resolved model as compose v2 prints it (name first, then services
// in compose-go's key order, networks, volumes, secrets, configs).
import { stringify } from 'yaml';
import { SERVICE_KEY_ORDER, type Project, type Service } from './model.js';

function serviceView(s: Service): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of SERVICE_KEY_ORDER) {
    const v = s[k];
    if (v === undefined || v === null) continue;
    o[k] = v;
  }
  return o;
}

export function projectView(p: Project): Record<string, unknown> {
  const view: Record<string, unknown> = { name: p.name, services: Object.fromEntries(Object.entries(p.services).map(([n, s]) => [n, serviceView(s)])) };
  if (Object.keys(p.networks).length) view.networks = p.networks;
  if (Object.keys(p.volumes).length) view.volumes = p.volumes;
  if (Object.keys(p.secrets).length) view.secrets = p.secrets;
  if (Object.keys(p.configs).length) view.configs = p.configs;
  return view;
}

export function renderConfig(p: Project, format: 'yaml' | 'json'): string {
  const view = projectView(p);
  return format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : stringify(view, { lineWidth: 0, defaultStringType: 'PLAIN', nullStr: 'null' });
}
