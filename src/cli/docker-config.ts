// Client credentials in Docker's own file, ~/.docker/config.json (or $DOCKER_CONFIG/),
// so `docker login` and `wharf login` share them: `auths.<server>.auth` is
// base64("user:password"); `credsStore` / `credHelpers.<server>` name a
// docker-credential-<helper> program that keeps the secret instead (its protocol:
// `get`/`store`/`erase` with the server URL or a JSON record on stdin).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthConfig } from '../contract/index.js';
import { InvalidArgument, Unavailable } from '../errdefs/index.js';

/** Docker Hub's key in config.json, kept from the v1 days. */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

export interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string; email?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [other: string]: unknown;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'), 'config.json');
}

export async function readConfig(file = configPath()): Promise<ConfigFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return {};
  }
  if (!text.trim()) return {};
  try {
    return JSON.parse(text) as ConfigFile;
  } catch (err) {
    throw new InvalidArgument(`loading config file ${file}: ${(err as Error).message}`);
  }
}

/** Written like Docker (tab indent), through a temp file so a crash never leaves half a file. */
export async function writeConfig(cfg: ConfigFile, file = configPath()): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(cfg, null, '\t')}`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** The config key of a registry: Docker Hub's index URL, else the host[:port]. */
export function serverKey(domain: string): string {
  const host = domain.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (!host || host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') return INDEX_SERVER;
  return host;
}

function helperFor(cfg: ConfigFile, key: string): string | undefined {
  return cfg.credHelpers?.[key] ?? cfg.credsStore ?? undefined;
}

function runHelper(helper: string, action: 'get' | 'store' | 'erase', input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(`docker-credential-${helper}`, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    child.on('error', (err) => reject(new Unavailable(`error getting credentials - err: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Unavailable(`${(out || errText).trim() || `docker-credential-${helper} ${action} exited ${code}`}`));
    });
    child.stdin.end(input);
  });
}

/** Credentials for `domain`, or {} (anonymous). */
export async function credentialsFor(domain: string, cfg?: ConfigFile): Promise<AuthConfig> {
  const c = cfg ?? (await readConfig());
  const key = serverKey(domain);
  const helper = helperFor(c, key);
  if (helper) {
    try {
      const out = JSON.parse(await runHelper(helper, 'get', key)) as { Username?: string; Secret?: string };
      if (out.Username === '<token>') return { identitytoken: out.Secret, serveraddress: key };
      return { username: out.Username, password: out.Secret, serveraddress: key };
    } catch (err) {
      // The helper's "credentials not found in native keychain": anonymous.
      if (/not found/i.test((err as Error).message)) return {};
      throw err;
    }
  }
  const entry = c.auths?.[key];
  if (!entry) return {};
  const out: AuthConfig = { serveraddress: key };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    out.username = decoded.slice(0, i);
    out.password = decoded.slice(i + 1);
  }
  if (entry.identitytoken) {
    out.identitytoken = entry.identitytoken;
    delete out.password;
  }
  return out;
}

/** Stores credentials after a login; returns true when they went into the file in the clear. */
export async function storeCredentials(key: string, auth: { username: string; password?: string; identitytoken?: string }): Promise<boolean> {
  const cfg = await readConfig();
  const helper = helperFor(cfg, key);
  cfg.auths ??= {};
  if (helper) {
    const record = auth.identitytoken
      ? { ServerURL: key, Username: '<token>', Secret: auth.identitytoken }
      : { ServerURL: key, Username: auth.username, Secret: auth.password ?? '' };
    await runHelper(helper, 'store', JSON.stringify(record));
    cfg.auths[key] = {};
    await writeConfig(cfg);
    return false;
  }
  cfg.auths[key] = auth.identitytoken
    ? { auth: Buffer.from(`${auth.username}:`).toString('base64'), identitytoken: auth.identitytoken }
    : { auth: Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64') };
  await writeConfig(cfg);
  return true;
}

/** Removes credentials; false when there were none. */
export async function eraseCredentials(key: string): Promise<boolean> {
  const cfg = await readConfig();
  const helper = helperFor(cfg, key);
  let had = cfg.auths?.[key] !== undefined;
  if (helper) {
    try {
      await runHelper(helper, 'erase', key);
      had = true;
    } catch {
      // nothing stored there
    }
  }
  if (cfg.auths && key in cfg.auths) {
    delete cfg.auths[key];
    await writeConfig(cfg);
  }
  return had;
}

/** The X-Registry-Auth header for a registry: the user's stored credentials, encoded. */
export async function registryAuthFor(domain: string): Promise<string> {
  return encodeAuthHeader(await credentialsFor(domain));
}

/** X-Registry-Auth: base64url JSON, as the docker CLI encodes it. */
export function encodeAuthHeader(auth: AuthConfig): string {
  return Buffer.from(JSON.stringify(auth)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
