// Test daemons: each test file starts its own wharfd on a temporary data root, exec root,
// socket and cgroup parent, and drives it through the real docker CLI and wharf's CLI.
// With WHARF_TEST_TARGET=docker (and DOCKER_HOST set) the same tests drive a Docker
// Engine instead, to check their expectations against the reference.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const WHARFD = path.join(REPO, 'dist/wharfd.js');
export const WHARF = path.join(REPO, 'dist/wharf.js');
export const TARGET = process.env.WHARF_TEST_TARGET === 'docker' ? 'docker' : 'wharf';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestDaemon {
  socket: string;
  env: NodeJS.ProcessEnv;
  dataRoot: string;
  execRoot: string;
  cgroupParent: string;
  /** The default network's bridge (its own per test daemon). */
  bridge: string;
  /** `env` with this checkout's `wharf` first on PATH, for the project's shell scripts. */
  scriptEnv: NodeJS.ProcessEnv;
  /** Runs the real docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** Runs wharf's CLI against this daemon. */
  wharf(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** Runs a CLI and requires exit code 0 (the message names the command and its stderr); returns stdout. */
  ok(args: string[], cli?: 'docker' | 'wharf'): Promise<string>;
  /** A raw Engine API call. */
  api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }>;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  /** Removes every container and image, stops the daemon, removes its roots; throws on leftovers. */
  close(): Promise<void>;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      if (err && code === -1 && !(err as { killed?: boolean }).killed && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(err);
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

export function apiCall(socket: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request({ socketPath: socket, method, path: urlPath, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function waitForPing(socket: string, child: ChildProcess | undefined, log: () => Promise<string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child && child.exitCode !== null) throw new Error(`wharfd exited (${child.exitCode}): ${await log()}`);
    try {
      const r = await apiCall(socket, 'GET', '/_ping');
      if (r.status === 200) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`wharfd did not answer on ${socket}: ${await log()}`);
}

/** A busybox rootfs tar made once per test run by the project's own mkimage script. */
export async function busyboxTar(): Promise<string> {
  const file = path.join(os.tmpdir(), `wharf-test-busybox-${process.pid}.tar`);
  if (!existsSync(file)) {
    const r = await run('bash', [path.join(REPO, 'contrib/mkimage-busybox.sh'), '-o', file]);
    if (r.code !== 0) throw new Error(`mkimage-busybox failed: ${r.stderr}`);
    // Removed when the test process ends; the next run makes it anew.
    process.once('exit', () => rmSync(file, { force: true }));
  }
  return file;
}

/**
 * `env`: extra environment for wharfd (e.g. WHARF_FAILPOINTS), read at every launch, so a
 * test may change or delete entries before `restart()`.
 */
export async function startDaemon(opts: { image?: boolean; env?: NodeJS.ProcessEnv; /** written as the daemon's daemon.json */ daemonJson?: object } = {}): Promise<TestDaemon> {
  const tag = randomBytes(4).toString('hex');
  const dataRoot = `/tmp/wharf-it-${tag}`;
  const execRoot = `/run/wharf-it-${tag}`;
  const socket = TARGET === 'docker' ? (process.env.DOCKER_HOST ?? '').replace(/^unix:\/\//, '') : path.join(execRoot, 'wharf.sock');
  const cgroupParent = `wharf-it-${tag}`;
  // Its own bridge (and so its own user-bridge prefix and nft table: see src/daemon/wire.ts).
  const bridge = `wharft${tag.slice(0, 4)}`;
  const logFile = path.join(os.tmpdir(), `wharf-it-${tag}.log`);
  const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: path.join(os.tmpdir(), `wharf-it-${tag}-docker-config`), WHARFD: WHARFD };
  const bin = path.join(os.tmpdir(), `wharf-it-${tag}-bin`);
  await fs.mkdir(bin, { recursive: true });
  await fs.symlink(WHARF, path.join(bin, 'wharf'));
  const scriptEnv = { ...env, PATH: `${bin}:${process.env.PATH}` };
  let child: ChildProcess | undefined;
  const configFile = opts.daemonJson ? path.join(os.tmpdir(), `wharf-it-${tag}-daemon.json`) : '/nonexistent/daemon.json';
  if (opts.daemonJson) await fs.writeFile(configFile, JSON.stringify(opts.daemonJson));

  const launch = async () => {
    if (TARGET === 'docker') return;
    const out = await fs.open(logFile, 'a');
    child = spawn(process.execPath, [WHARFD, '--data-root', dataRoot, '--exec-root', execRoot, '-H', `unix://${socket}`, '--cgroup-parent', cgroupParent, '--bridge', bridge, '--config-file', configFile], {
      stdio: ['ignore', out.fd, out.fd],
      detached: true,
      env: { ...process.env, ...opts.env },
    });
    await out.close();
    await waitForPing(socket, child, () => fs.readFile(logFile, 'utf8').catch(() => ''));
  };
  const stopChild = async (signal: NodeJS.Signals) => {
    // A child killed by a signal has exitCode null and signalCode set.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill(signal);
    await exited;
  };

  await launch();
  const daemon: TestDaemon = {
    socket,
    env,
    dataRoot,
    execRoot,
    cgroupParent,
    bridge,
    scriptEnv,
    docker: (args, o = {}) => run('docker', args, { env, ...o }),
    wharf: (args, o = {}) => run(process.execPath, [WHARF, ...args], { env, ...o }),
    ok: async (args, cli = 'docker') => {
      const r = await daemon[cli](args);
      if (r.code !== 0) throw new Error(`${cli} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    api: (method, urlPath, body) => apiCall(socket, method, urlPath, body),
    kill9: () => stopChild('SIGKILL'),
    restart: async () => {
      await stopChild('SIGTERM');
      await launch();
    },
    close: async () => {
      const list = await apiCall(socket, 'GET', '/containers/json?all=1').catch(() => undefined);
      for (const c of (list?.json as { Id: string; Labels?: Record<string, string> }[] | undefined) ?? []) {
        await apiCall(socket, 'DELETE', `/containers/${c.Id}?force=1`);
      }
      if (TARGET === 'docker') return;
      await stopChild('SIGTERM');
      const leftovers = await leftoversOf({ dataRoot, execRoot, cgroupParent });
      leftovers.push(...(await removeNetworking(bridge)));
      await fs.rm(dataRoot, { recursive: true, force: true });
      await fs.rm(execRoot, { recursive: true, force: true });
      await fs.rm(env.DOCKER_CONFIG!, { recursive: true, force: true });
      await fs.rm(bin, { recursive: true, force: true });
      if (opts.daemonJson) await fs.rm(configFile, { force: true });
      if (leftovers.length === 0) await fs.rm(logFile, { force: true });
      if (leftovers.length) throw new Error(`test daemon left resources behind:\n${leftovers.join('\n')}\n(log: ${logFile})`);
    },
  };
  if (opts.image !== false) {
    const tar = await busyboxTar();
    const r = await daemon.docker(['import', '--change', 'CMD ["sh"]', tar, 'busybox:latest']);
    if (r.code !== 0) throw new Error(`import busybox failed: ${r.stderr}`);
  }
  return daemon;
}

/**
 * wharfd keeps its bridges and nft table when it stops (as dockerd does); a test daemon's go.
 * With every container gone, no veth may still hang on them: those are returned as leftovers.
 */
async function removeNetworking(bridge: string): Promise<string[]> {
  const leftovers: string[] = [];
  const links = await run('ip', ['-o', 'link', 'show']);
  for (const m of links.stdout.matchAll(/^\d+: ([^:@\s]+)/gm)) {
    if (m[1] !== bridge && !m[1].startsWith(`${bridge}-`)) continue;
    const ports = await run('ip', ['-o', 'link', 'show', 'master', m[1]]);
    leftovers.push(...[...ports.stdout.matchAll(/^\d+: ([^:@\s]+)/gm)].map((p) => `veth ${p[1]} on ${m[1]}`));
    await run('ip', ['link', 'del', 'dev', m[1]]);
  }
  await run('nft', ['delete', 'table', 'inet', bridge]);
  return leftovers;
}

async function leftoversOf(o: { dataRoot: string; execRoot: string; cgroupParent: string }): Promise<string[]> {
  const out: string[] = [];
  const mounts = (await fs.readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m.startsWith(o.dataRoot) || m.startsWith(o.execRoot)));
  out.push(...mounts.map((m) => `mount ${m}`));
  const runcRoot = path.join(o.execRoot, 'runc');
  if (existsSync(runcRoot)) {
    const r = await run('runc', ['--root', runcRoot, 'list', '-q']);
    out.push(...r.stdout.split('\n').filter(Boolean).map((id) => `runc container ${id}`));
  }
  for (const ctrl of await fs.readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    const dir = path.join('/sys/fs/cgroup', ctrl, o.cgroupParent);
    if (existsSync(dir)) {
      const children = (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory());
      if (children.length) out.push(`cgroup ${dir}/${children[0].name}`);
      await fs.rmdir(dir).catch(() => undefined);
    }
  }
  const conmons = await run('pgrep', ['-af', `conmon.*${o.execRoot}`]);
  out.push(...conmons.stdout.split('\n').filter(Boolean).map((l) => `conmon ${l}`));
  return out;
}
