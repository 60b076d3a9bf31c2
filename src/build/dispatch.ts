// One step of a stage: expand its words, look the result up in the cache, and on a miss
// produce the next image (a metadata-only image, a COPY/ADD layer, or a RUN's layer).
// Docker's classic builder is the reference for what each step does to the config and
// for its history line ("/bin/sh -c #(nop)  CMD [\"sh\"]", "|1 V=x /bin/sh -c make").
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import { InvalidArgument, WharfError } from '../errdefs/index.js';
import { applyConfigEdit, type ConfigEdit } from '../image/config-edits.js';
import type { ContainerConfigInImage } from '../image/types.js';
import { formatGoDuration, parseGoDuration } from '../units/index.js';
import { unpackArchive } from './archive-source.js';
import { BuildCache } from './cache.js';
import type { BuildContext } from './context.js';
import { planCopy, planDigest, planTar, type CopyRequest, type PlannedEntry } from './copy.js';
import type { Step } from './dockerfile/instructions.js';
import { expandVariables, processWord, processWords } from './dockerfile/shell-lex.js';
import { mountImageRoot, type ImageRoot } from './image-root.js';
import { checkRemoteSources, downloadSources, isRemoteUrl } from './remote.js';
import { runStep } from './run-step.js';
import { buildEnv, expansionEnv, goList, goQuoteList, shellOf, type StageState } from './state.js';
import { lookupOwner } from './owner.js';

export interface BuildOutput {
  /** Text for the classic stream ({"stream": …}). */
  stream(text: string): void;
  /** A download's progress (ADD <url>): Docker's {"status": "Downloading", "progressDetail": …}. */
  progress?(p: { current: number; total?: number }): void;
}

/** A failed step; `code` is a RUN's exit code (the docker CLI exits with it). */
export class StepFailed extends WharfError {
  readonly kind = 'invalid-argument';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface DispatchEnv {
  engine: Engine;
  cache: BuildCache;
  context: BuildContext;
  out: BuildOutput;
  noCache: boolean;
  rm: boolean;
  networkMode?: string;
  extraHosts: string[];
  escape: string;
  tmpDir: string;
  /** --build-arg values given; lookups mark them consumed. */
  buildArgs: Map<string, string | null>;
  consumed: Set<string>;
  /** Proxy build args given (predefined, no ARG needed). */
  proxies: Map<string, string>;
  /** Image ID of an earlier stage by name or index, or of an image (`COPY --from`). */
  resolveFrom(ref: string): Promise<string>;
  signal: AbortSignal;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class StepRunner {
  constructor(
    private readonly env: DispatchEnv,
    private readonly state: StageState,
  ) {}

  private word(s: string): string {
    return processWord(s, expansionEnv(this.state), { escape: this.env.escape });
  }

  private imageExists = (id: string) => {
    try {
      this.env.engine.images.resolve(id);
      return true;
    } catch {
      return false;
    }
  };

  /** On a cache hit, moves the stage to the cached image and says so; false on a miss. */
  private async fromCache(key: string, config: ContainerConfigInImage): Promise<boolean> {
    if (this.env.noCache) return false;
    const hit = await this.env.cache.get(key, this.imageExists);
    if (!hit) return false;
    this.env.out.stream(` ---> Using cache\n ---> ${short(hit)}\n`);
    this.state.imageId = hit;
    this.state.config = config;
    return true;
  }

  private keyOf(createdBy: string, config: ContainerConfigInImage, extra?: unknown): string {
    return BuildCache.keyOf({ parent: this.state.imageId, createdBy, config, extra });
  }

  /**
   * Cache lookup, then `make` on a miss; either way the stage moves to the image.
   * `make` returns the layer tar (or null) and may print; `after` runs once committed.
   * `alias` is a second key the result is recorded under (one the caller can compute
   * before doing the work `createdBy` needs, e.g. COPY's from the context index).
   */
  private async commit(o: { alias?: string; createdBy: string; config: ContainerConfigInImage; extra?: unknown; author?: string; make?: () => Promise<{ diff: Readable | null; after?: () => Promise<void> }> }): Promise<void> {
    const key = this.keyOf(o.createdBy, o.config, o.extra);
    if (await this.fromCache(key, o.config)) {
      if (o.alias) await this.env.cache.put(o.alias, this.state.imageId);
      return;
    }
    const made = o.make ? await o.make() : { diff: null };
    let img;
    try {
      img = await this.env.engine.images.commitLayer({
        parent: this.state.imageId,
        diffTar: made.diff,
        config: o.config,
        history: { created_by: o.createdBy, ...(o.author ? { author: o.author } : {}) },
        // Each step's image is written without fsync; the builder syncs the final one once.
        durable: false,
      });
    } finally {
      await made.after?.();
    }
    await this.env.cache.put(key, img.id);
    if (o.alias) await this.env.cache.put(o.alias, img.id);
    this.env.out.stream(` ---> ${short(img.id)}\n`);
    this.state.imageId = img.id;
    this.state.config = o.config;
  }

  /** A step that changes only the config: "/bin/sh -c #(nop)  <comment>". */
  private meta(comment: string, config: ContainerConfigInImage, author?: string): Promise<void> {
    return this.commit({ createdBy: `${shellOf(this.state).join(' ')} #(nop)  ${comment}`, config, author });
  }

  private cloneConfig(): ContainerConfigInImage {
    return structuredClone(this.state.config);
  }

  /** The stage's config with one instruction applied (the same code as `--change`). */
  private edit(e: ConfigEdit): ContainerConfigInImage {
    return applyConfigEdit(this.state.config, e);
  }

  async run(step: Step): Promise<void> {
    switch (step.kind) {
      case 'env': {
        const pairs = step.pairs.map((p) => ({ key: this.word(p.key), value: this.word(p.value) }));
        const config = this.edit({ kind: 'env', pairs: pairs.map((p) => [p.key, p.value]) });
        return this.meta(`ENV ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`, config);
      }
      case 'label': {
        const pairs = step.pairs.map((p) => ({ key: this.word(p.key), value: this.word(p.value) }));
        const config = this.edit({ kind: 'label', pairs: pairs.map((p) => [p.key, p.value]) });
        return this.meta(`LABEL ${pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`, config);
      }
      case 'arg': {
        const parts: string[] = [];
        for (const a of step.args) {
          const def = a.value !== undefined ? this.word(a.value) : undefined;
          const given = this.env.buildArgs.get(a.key);
          if (this.env.buildArgs.has(a.key)) this.env.consumed.add(a.key);
          const value = given !== undefined && given !== null ? given : def ?? this.state.meta.get(a.key);
          this.state.args.set(a.key, value);
          parts.push(a.value !== undefined ? `${a.key}=${def}` : a.key);
        }
        return this.meta(`ARG ${parts.join(' ')}`, this.cloneConfig());
      }
      case 'workdir':
        return this.workdir(this.word(step.value));
      case 'user': {
        const value = this.word(step.value);
        return this.meta(`USER ${value}`, this.edit({ kind: 'user', value }));
      }
      case 'stopsignal': {
        const value = this.word(step.value);
        return this.meta(`STOPSIGNAL ${value}`, this.edit({ kind: 'stopsignal', value }));
      }
      case 'maintainer':
        return this.meta(`MAINTAINER ${step.value}`, this.cloneConfig(), step.value);
      case 'expose': {
        const ports = step.values.flatMap((v) => processWords(v, expansionEnv(this.state), { escape: this.env.escape }));
        return this.meta(`EXPOSE ${ports.join(' ')}`, this.edit({ kind: 'expose', ports }));
      }
      case 'volume': {
        const vols = step.values.map((v) => this.word(v));
        return this.meta(`VOLUME ${goList(vols)}`, this.edit({ kind: 'volume', paths: vols }));
      }
      case 'cmd':
      case 'entrypoint': {
        const args = step.cmd.json ? step.cmd.args : [...shellOf(this.state), ...step.cmd.args];
        const config = step.kind === 'cmd' ? this.edit({ kind: 'cmd', args }) : this.edit({ kind: 'entrypoint', args, keepCmd: this.state.cmdSet });
        if (step.kind === 'cmd') this.state.cmdSet = true;
        return this.meta(`${step.kind.toUpperCase()} ${goQuoteList(args)}`, config);
      }
      case 'shell': {
        const config = this.cloneConfig();
        config.Shell = step.cmd.args;
        // Docker's history line for SHELL already uses the new shell.
        return this.commit({ createdBy: `${step.cmd.args.join(' ')} #(nop)  SHELL ${goList(step.cmd.args)}`, config });
      }
      case 'onbuild': {
        return this.meta(`ONBUILD ${step.trigger}`, this.edit({ kind: 'onbuild', trigger: step.trigger }));
      }
      case 'healthcheck':
        return this.healthcheck(step);
      case 'run':
        return this.runCommand(step);
      case 'copy':
      case 'add':
        return this.copy(step);
      case 'from':
        throw new InvalidArgument('FROM inside a stage');
    }
  }

  private healthcheck(step: Extract<Step, { kind: 'healthcheck' }>): Promise<void> {
    const config = this.cloneConfig();
    const old = config.Healthcheck as { Test?: string[] } | undefined;
    if (step.test === 'NONE') config.Healthcheck = { Test: ['NONE'] };
    else {
      if (old?.Test?.length && old.Test[0] !== 'NONE') this.env.out.stream(`Note: overriding previous HEALTHCHECK: ${goList(old.Test)}\n`);
      const hc: Record<string, unknown> = { Test: step.test };
      const dur = (flag: string, v?: string) => {
        if (v === undefined || v === '') return undefined;
        let ns: number;
        try {
          ns = parseGoDuration(v);
        } catch (err) {
          throw new InvalidArgument((err as Error).message);
        }
        if (ns !== 0 && ns < 1e6) throw new InvalidArgument(`Interval "${flag}" cannot be less than 1ms`);
        return ns || undefined;
      };
      const fields: Array<[string, string, string | undefined]> = [['Interval', 'interval', step.interval], ['Timeout', 'timeout', step.timeout], ['StartPeriod', 'start-period', step.startPeriod], ['StartInterval', 'start-interval', step.startInterval]];
      for (const [field, flag, v] of fields) {
        const ns = dur(flag, v);
        if (ns !== undefined) hc[field] = ns;
      }
      if (step.retries !== undefined) {
        const n = Number(step.retries);
        if (!Number.isInteger(n)) throw new InvalidArgument(`strconv.ParseInt: parsing "${step.retries}": invalid syntax`);
        if (n < 1) throw new InvalidArgument(`--retries must be at least 1 (not ${n})`);
        hc.Retries = n;
      }
      config.Healthcheck = hc;
    }
    const hc = config.Healthcheck as { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
    // Go's %v of a time.Duration: "1m30s", not "90s".
    const d = (ns?: number) => `"${ns ? formatGoDuration(ns / 1e6) : '0s'}"`;
    return this.meta(`HEALTHCHECK &{${goQuoteList(hc.Test)} ${d(hc.Interval)} ${d(hc.Timeout)} ${d(hc.StartPeriod)} '\\x${(hc.Retries ?? 0).toString(16).padStart(2, '0')}'}`, config);
  }

  private async workdir(value: string): Promise<void> {
    const config = this.edit({ kind: 'workdir', path: value });
    const dir = config.WorkingDir!;
    const createdBy = `${shellOf(this.state).join(' ')} #(nop) WORKDIR ${dir}`;
    // The layer depends only on the parent image, which the key holds: no mount on a hit.
    if (await this.fromCache(this.keyOf(createdBy, config), config)) return;
    await this.withRoot(this.state.imageId, async (root) => {
      const st = root ? await root.stat(dir, { follow: true }) : undefined;
      const entries = st?.isDirectory() ? [] : await dirEntries(dir, root);
      await this.commit({ createdBy, config, make: async () => ({ diff: entries.length ? planTar(entries) : null }) });
    });
  }

  /** Mounts an image read-only for `fn`; scratch (no image) gives no root. */
  private async withRoot<T>(imageId: string, fn: (root: ImageRoot | undefined) => Promise<T>): Promise<T> {
    if (!imageId) return fn(undefined);
    const lower = (await this.env.engine.images.unpackedRootfs(imageId)).lowerDirs;
    if (lower.length === 0) return fn(undefined);
    const root = await mountImageRoot(lower, this.env.tmpDir);
    try {
      return await fn(root);
    } finally {
      await root.close();
    }
  }

  private async runCommand(step: Extract<Step, { kind: 'run' }>): Promise<void> {
    // The classic builder's RUN takes no flags: it names the first one (Docker 28's wording).
    if (step.flags.length) throw new InvalidArgument(`the --${step.flags[0]} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`);
    if (!this.state.imageId) throw new InvalidArgument('Please provide a source image with `from` prior to run');
    const shell = shellOf(this.state);
    let cmd: string[];
    if (step.cmd.json) cmd = step.cmd.args;
    else if (step.heredocs.length === 1 && /^<<-?["']?[A-Za-z0-9_.-]+["']?$/.test(step.cmd.args[0] ?? '')) cmd = [...shell, step.heredocs[0].content];
    else if (step.heredocs.length) cmd = [...shell, [step.cmd.args[0], ...step.heredocs.map((h) => `${h.content}${h.name}`)].join('\n')];
    else cmd = [...shell, ...step.cmd.args];
    const env = buildEnv(this.state, this.env.proxies);
    for (const kv of env.all) this.env.consumed.add(kv.split('=', 1)[0]);
    // Any build arg in the environment, an undeclared proxy one too, puts the "|N" count in
    // front, though N and the list leave the proxies out ("|0 /bin/sh -c …"), as Docker does.
    const saveCmd = env.all.length ? [`|${env.history.length}`, ...env.history, ...cmd] : cmd;
    const config = this.cloneConfig();
    await this.commit({
      createdBy: saveCmd.join(' '),
      config,
      make: async () => {
        const res = await runStep(this.env.engine, {
          imageId: this.state.imageId,
          config,
          cmd,
          buildEnv: env.all,
          networkMode: this.env.networkMode,
          extraHosts: this.env.extraHosts,
          rm: this.env.rm,
          output: (s) => this.env.out.stream(s),
          started: (id) => this.env.out.stream(` ---> Running in ${id.slice(0, 12)}\n`),
          signal: this.env.signal,
        });
        if (res.exitCode !== 0) {
          await res.cleanup();
          throw new StepFailed(`The command '${cmd.join(' ')}' returned a non-zero code: ${res.exitCode}`, res.exitCode);
        }
        return {
          diff: res.diff(),
          after: async () => {
            await res.cleanup();
            if (this.env.rm) this.env.out.stream(`Removing intermediate container ${res.containerId.slice(0, 12)}\n`);
          },
        };
      },
    });
  }

  private async copy(step: Extract<Step, { kind: 'copy' | 'add' }>): Promise<void> {
    const cmdName = step.kind === 'copy' ? 'COPY' : 'ADD';
    const fromImage = step.from !== undefined ? await this.env.resolveFrom(this.word(step.from)) : undefined;
    const heredocs = new Map(step.heredocs.map((h) => [h.name, h]));
    const srcs = step.srcs.map((s) => {
      const m = /^<<-?["']?([A-Za-z0-9_.-]+)["']?$/.exec(s);
      const h = m ? heredocs.get(m[1]) : undefined;
      if (h) return { heredoc: h.name, content: h.expand ? expandVariables(h.content, expansionEnv(this.state)) : h.content };
      return this.word(s);
    });
    const checksum = step.checksum !== undefined ? this.word(step.checksum) : undefined;
    const urls = checkRemoteSources({ cmd: cmdName, srcs, checksum });
    const rawDest = this.word(step.dest);
    const dest = rawDest.startsWith('/') ? rawDest : `${path.posix.join(this.state.config.WorkingDir || '/', rawDest)}${rawDest.endsWith('/') || rawDest === '.' ? '/' : ''}`;
    const chmod = step.chmod !== undefined ? parseChmod(this.word(step.chmod)) : undefined;
    // From the context, the sources' digest comes from the index, so the key is known before
    // anything is mounted or unpacked: parent image, sources, destination and flags decide
    // the layer. (The history line still names the plan's digest, as Docker's does.)
    const paths = srcs.filter((s): s is string => typeof s === 'string' && !isRemoteUrl(s));
    // A download's key comes from its bytes: it is fetched on every build, as Docker does.
    const sourceDigest = fromImage === undefined && !urls.length ? this.env.context.sourceDigest(paths) : undefined;
    const quickKey =
      sourceDigest !== undefined
        ? this.keyOf(`${cmdName} from context`, this.state.config, { srcs, rawDest, dest, chown: step.chown !== undefined ? this.word(step.chown) : null, chmod: chmod ?? null, sourceDigest })
        : undefined;
    if (quickKey && (await this.fromCache(quickKey, this.cloneConfig()))) return;
    const tmpDirs: string[] = [];
    try {
      const planned = await downloadSources(srcs, { cmd: cmdName, checksum, tmpDir: this.env.tmpDir, tmpDirs, signal: this.env.signal, out: this.env.out });
      await this.withRoot(this.state.imageId, async (root) => {
        const owner = step.chown !== undefined ? await lookupOwner(this.word(step.chown), root) : undefined;
        const req: CopyRequest = { cmd: cmdName, srcs: planned, dest, owner, chmod, extractArchives: step.kind === 'add' };
        const planner = {
          root,
          unpackArchive: async (host: string) => {
            const dir = await fs.mkdtemp(path.join(this.env.tmpDir, 'add-'));
            tmpDirs.push(dir);
            await unpackArchive(host, dir);
            return dir;
          },
        };
        // The source tree stays mounted until the layer is written: the plan names host paths in it.
        const withSource = <T>(fn: (src: ImageRoot | undefined) => Promise<T>) =>
          fromImage !== undefined
            ? this.withRoot(fromImage, (src) => {
                if (!src) throw new InvalidArgument(`${cmdName} failed: no source files were specified`);
                return fn(src);
              })
            : fn(undefined);
        await withSource(async (sourceRoot) => {
          const source = sourceRoot
            ? { dir: sourceRoot.dir, context: false }
            : { dir: paths.length ? await this.env.context.materialize(paths) : this.env.tmpDir, context: true, ignore: this.env.context.ignore };
          const { entries, kind } = await planCopy(req, source, planner);
          const digest = await planDigest(entries, sourceRoot ? undefined : this.env.context.digestOf);
          const createdBy = `${shellOf(this.state).join(' ')} #(nop) ${cmdName} ${kind}:${digest} in ${rawDest} `;
          await this.commit({ alias: quickKey, createdBy, config: this.cloneConfig(), make: async () => ({ diff: planTar(entries) }) });
        });
      });
    } finally {
      for (const d of tmpDirs) await fs.rm(d, { recursive: true, force: true });
    }
  }
}

function parseChmod(s: string): number {
  if (!/^[0-7]{3,4}$/.test(s)) throw new InvalidArgument(`invalid chmod parameter: ${s}`);
  return parseInt(s, 8);
}

/** Entries that create `dir` and whichever of its parents the image lacks (root, 0755). */
async function dirEntries(dir: string, root: ImageRoot | undefined): Promise<PlannedEntry[]> {
  const parts = dir.split('/').filter(Boolean);
  const out: PlannedEntry[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const st = root ? await root.stat(rel, { follow: true }) : undefined;
    if (st?.isDirectory()) out.push({ name: rel, type: 'directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime, size: 0 });
    else out.push({ name: rel, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: new Date(), size: 0 });
  }
  return out;
}
