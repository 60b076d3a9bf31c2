// wharfd's settings: command-line flags over /etc/wharf/daemon.json over defaults.
// Keys mean what they mean in Docker's daemon.json where Docker has them.
import { readFileSync } from 'node:fs';
import { InvalidArgument } from '../errdefs/index.js';

export interface DaemonConfig {
  /** Default /var/lib/wharf. */
  dataRoot: string;
  /** Default /run/wharf. */
  execRoot: string;
  /** Default unix:///run/wharf/wharf.sock. */
  host: string;
  /** Default "wharf". */
  cgroupParent: string;
  debug: boolean;
  configFile: string;
  /** daemon.json `log-driver` / `log-opts`: containers' defaults (default json-file, 10m × 3). */
  logDriver?: string;
  logOpts?: Record<string, string>;
  /** `bridge` / `--bridge`: the default network's bridge (default wharf0). */
  bridge: string;
  /** `bip` / `--bip`: its gateway address and prefix, e.g. 172.17.0.1/16 (default: a free pool). */
  bip?: string;
  /** daemon.json `registry-mirrors`: used, in order, before Docker Hub for docker.io images. */
  registryMirrors?: string[];
  /** daemon.json `insecure-registries`: hosts or CIDRs (127.0.0.0/8 always is). */
  insecureRegistries?: string[];
  /** daemon.json `max-concurrent-downloads` (default 3) / `max-concurrent-uploads` (default 5). */
  maxConcurrentDownloads?: number;
  maxConcurrentUploads?: number;
}

export const DEFAULTS: DaemonConfig = {
  dataRoot: '/var/lib/wharf',
  execRoot: '/run/wharf',
  host: 'unix:///run/wharf/wharf.sock',
  cgroupParent: 'wharf',
  debug: false,
  configFile: '/etc/wharf/daemon.json',
  bridge: 'wharf0',
};

const FLAGS: Record<string, keyof DaemonConfig> = {
  '--data-root': 'dataRoot',
  '--exec-root': 'execRoot',
  '-H': 'host',
  '--host': 'host',
  '--cgroup-parent': 'cgroupParent',
  '--config-file': 'configFile',
  '-b': 'bridge',
  '--bridge': 'bridge',
  '--bip': 'bip',
};

const JSON_KEYS: Record<string, keyof DaemonConfig> = {
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  'cgroup-parent': 'cgroupParent',
  debug: 'debug',
  'log-driver': 'logDriver',
  'log-opts': 'logOpts',
  bridge: 'bridge',
  bip: 'bip',
  'registry-mirrors': 'registryMirrors',
  'insecure-registries': 'insecureRegistries',
  'max-concurrent-downloads': 'maxConcurrentDownloads',
  'max-concurrent-uploads': 'maxConcurrentUploads',
};

export function parseDaemonArgs(argv: string[]): Partial<DaemonConfig> {
  const out: Partial<DaemonConfig> = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === '-D' || arg === '--debug') {
      out.debug = true;
      continue;
    }
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const key = FLAGS[arg];
    if (!key) throw new InvalidArgument(`unknown flag: ${arg}`);
    value ??= argv[++i];
    if (value === undefined) throw new InvalidArgument(`flag needs an argument: ${arg}`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

export function loadDaemonConfig(argv: string[]): DaemonConfig {
  const flags = parseDaemonArgs(argv);
  const configFile = flags.configFile ?? DEFAULTS.configFile;
  const fromFile: Partial<DaemonConfig> = {};
  let text: string | undefined;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch {
    // no daemon.json: defaults
  }
  if (text !== undefined) {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidArgument(`unable to configure the wharf daemon with file ${configFile}: ${(err as Error).message}`);
    }
    if (typeof json.hosts === 'object' && Array.isArray(json.hosts) && json.hosts[0]) fromFile.host = String(json.hosts[0]);
    for (const [k, v] of Object.entries(json)) {
      const key = JSON_KEYS[k];
      if (key) (fromFile as Record<string, unknown>)[key] = v;
    }
  }
  return { ...DEFAULTS, ...fromFile, ...flags, configFile };
}

export function socketPath(host: string): string {
  if (!host.startsWith('unix://')) throw new InvalidArgument(`only unix:// hosts are supported for now: ${host}`);
  return host.slice('unix://'.length);
}
