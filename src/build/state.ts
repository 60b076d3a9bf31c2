// A build stage's state between steps: the image so far, the config a container of it
// would get, the ARGs in scope, and the formatting Docker uses for history lines.
import type { ContainerConfigInImage } from '../image/types.js';

const DEFAULT_SHELL = ['/bin/sh', '-c'];
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's predefined ARGs: usable without an ARG line, left out of history unless declared. */
export const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

export interface StageState {
  /** "" while the stage is `FROM scratch` with no step done yet. */
  imageId: string;
  config: ContainerConfigInImage;
  /** ARGs declared in this stage, with their values (undefined: declared, no value). */
  args: Map<string, string | undefined>;
  /** ARGs declared before the first FROM: `ARG x` in a stage takes its value from here. */
  meta: ReadonlyMap<string, string>;
  /** Whether this stage set CMD (ENTRYPOINT keeps it then, else resets it). */
  cmdSet: boolean;
}

export function shellOf(state: StageState): string[] {
  return state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
}

export function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 0) m.set(kv, '');
    else m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return m;
}

/** Variables a step's words are expanded with: ARGs, overridden by ENV. */
export function expansionEnv(state: StageState): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of state.args) if (v !== undefined) m.set(k, v);
  for (const [k, v] of envMap(state.config.Env)) m.set(k, v);
  return m;
}

/** ARGs a RUN sees as environment ("K=V", sorted): those with a value ENV does not override. */
export function buildEnv(state: StageState, proxies: Map<string, string>): { all: string[]; history: string[] } {
  const env = envMap(state.config.Env);
  const history: string[] = [];
  for (const [k, v] of state.args) if (v !== undefined && !env.has(k)) history.push(`${k}=${v}`);
  const all = [...history];
  for (const [k, v] of proxies) if (!state.args.has(k) && !env.has(k)) all.push(`${k}=${v}`);
  return { all: all.sort(), history: history.sort() };
}

/** Go's %q of a []string, as Docker writes CMD/ENTRYPOINT in history: ["a" "b"]. */
export function goQuoteList(list: string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Go's %v of a []string: [a b]. */
export function goList(list: string[]): string {
  return `[${list.join(' ')}]`;
}
