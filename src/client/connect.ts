// Where the daemon is and how to reach it: DOCKER_HOST (unix:// only), else wharf's
// default socket; when the default socket is absent, start wharfd and wait for it.
import { dirname, join } from 'node:path';
import { EngineClient } from './client.js';
import { ConnectionError } from './errors.js';
import { InvalidArgument, Unavailable } from '../errdefs/index.js';

export const DEFAULT_SOCKET = '/run/wharf/wharf.sock';

export interface Endpoint {
  socketPath: string;
  /** True when no DOCKER_HOST chose the socket: only then may we start wharfd. */
  isDefault: boolean;
}

export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): Endpoint {
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: DEFAULT_SOCKET, isDefault: true };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), isDefault: false };
  if (host.startsWith('/')) return { socketPath: host, isDefault: false };
  throw new InvalidArgument(`unsupported DOCKER_HOST ${JSON.stringify(host)}: wharf speaks unix:// only`);
}

export interface AutoStartOptions {
  /** Path of wharfd.js; default: WHARFD env var, else `wharfd.js` beside the running script. */
  daemonScript?: string;
  /** How long to wait for `/_ping` to answer. Default 15 s. */
  timeoutMs?: number;
  /** Where the one-line notice goes. */
  notify?: (line: string) => void;
}

/**
 * wharfd.js of the same build: the CLI is usually run through symlinks (/usr/local/bin/wharf
 * → dist/wharf.js → dist/cli/wharf.cjs), so look beside the real file and its parent.
 */
function defaultDaemonScript(fs: typeof import('node:fs')): string {
  if (process.env.WHARFD) return process.env.WHARFD;
  let dir = '.';
  try {
    dir = dirname(fs.realpathSync(process.argv[1] ?? '.'));
  } catch {
    // not a file we can resolve: the checks below fail with a clear message
  }
  const candidates = [join(dir, 'wharfd.js'), join(dir, '..', 'wharfd.js')];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Unavailable(`cannot start wharfd: no wharfd.js at ${candidates.join(' or ')} (set WHARFD to its path)`);
  return found;
}

/**
 * Starts wharfd detached, logging to /run/wharf/wharfd.log when that directory exists.
 * `exitCode()` is wharfd's exit code once it has died (null while it runs).
 */
export async function startDaemon(o: AutoStartOptions, socketPath: string): Promise<{ pid: number; exitCode: () => number | null; log: string }> {
  // Loaded only here: child_process costs start-up time every other command would pay.
  const [{ spawn }, fs] = await Promise.all([import('node:child_process'), import('node:fs')]);
  const { existsSync, openSync } = fs;
  const script = o.daemonScript ?? defaultDaemonScript(fs);
  const isJs = /\.[cm]?js$/.test(script);
  const logDir = dirname(socketPath);
  const log = join(logDir, 'wharfd.log');
  let out: number | 'ignore' = 'ignore';
  try { if (existsSync(logDir)) out = openSync(log, 'a'); } catch { /* no log then */ }
  const child = spawn(isJs ? process.execPath : script, isJs ? [script] : [], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  return { pid: child.pid ?? -1, exitCode: () => child.exitCode ?? (child.signalCode ? 128 : null), log: out === 'ignore' ? 'its stderr' : log };
}

/**
 * A client for the daemon at DOCKER_HOST, else wharf's default socket. Nothing is sent
 * yet: the first request finds out whether a daemon listens. When none does on the
 * default socket, that request starts wharfd, waits for it, and goes through (never when
 * DOCKER_HOST names the socket: that daemon is someone else's).
 */
export function connect(o: AutoStartOptions & { env?: NodeJS.ProcessEnv } = {}): EngineClient {
  const ep = resolveEndpoint(o.env);
  if (!ep.isDefault) return new EngineClient(ep.socketPath);
  return new EngineClient(ep.socketPath, { onUnreachable: () => startAndWait(o, ep.socketPath) });
}

async function startAndWait(o: AutoStartOptions, socketPath: string): Promise<void> {
  const daemon = await startDaemon(o, socketPath);
  (o.notify ?? ((l) => process.stderr.write(`${l}\n`)))(`wharf: started wharfd (pid ${daemon.pid}, socket ${socketPath})`);
  const probe = new EngineClient(socketPath);
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  try {
    for (;;) {
      try {
        await probe.ping();
        return;
      } catch (err) {
        if (!(err instanceof ConnectionError) || Date.now() > deadline) throw err;
        const code = daemon.exitCode();
        if (code !== null) throw new Unavailable(`wharfd exited (code ${code}) before serving; see ${daemon.log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally { probe.close(); }
}
