// `POST /build`: a context tar and options in, an image out, with Docker's classic
// progress text ("Step 2/5 : RUN make", " ---> Using cache", "Successfully built …").
// Stages run in file order; with --target the build stops at that stage, and stages the
// target does not depend on (through FROM or COPY --from) are skipped.
// Durability: every step's layer, config and record are renamed into place without fsync
// (a kill -9 still leaves a store that loads; a machine crash may lose intermediate images
// and cache records, which then read as misses). Once the final image exists, one batch of
// fsyncs makes it durable before it is tagged or named to the client.
import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import { mountsBelow, unmountRootfs } from '../engine/rootfs.js';
import { InvalidArgument, isKind, withContext } from '../errdefs/index.js';
import { familiarName, normalizeReference } from '../image/index.js';
import { sweepTemp } from '../store/index.js';
import { BuildCache } from './cache.js';
import { buildTmpDir, openContext } from './context.js';
import { StepRunner, type BuildOutput, type DispatchEnv } from './dispatch.js';
import { readInstruction, type Step } from './dockerfile/instructions.js';
import { parseDockerfile } from './dockerfile/parse.js';
import { processWord } from './dockerfile/shell-lex.js';
import { DEFAULT_PATH, PROXY_ARGS, envMap, type StageState } from './state.js';

export interface BuildOptions {
  /** Path of the Dockerfile in the context ("Dockerfile"). */
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  target?: string;
  noCache: boolean;
  labels: Record<string, string>;
  quiet: boolean;
  /** Remove intermediate containers (default true); forceRm also after a failure (we always do). */
  rm: boolean;
  networkMode?: string;
  extraHosts: string[];
  signal: AbortSignal;
}

export type { BuildOutput };

interface Stage {
  index: number;
  name?: string;
  from: Step & { kind: 'from' };
  steps: Step[];
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export interface BuilderOptions {
  /** Makes an image written with `durable: false` durable; the engine's syncImage by default (tests count calls). */
  syncImage?: (imageId: string) => Promise<void>;
}

export class Builder {
  private readonly cache: BuildCache;
  private readonly syncImage: (imageId: string) => Promise<void>;
  constructor(
    private readonly engine: Engine,
    private readonly root: string /* data root */,
    opts: BuilderOptions = {},
  ) {
    this.cache = new BuildCache(root);
    this.syncImage = opts.syncImage ?? ((id) => this.engine.images.syncImage(id));
  }

  /**
   * At daemon start, before any build: what a killed wharfd left of its builds (read-only
   * image mounts, spooled contexts, downloads under build/tmp; cache records half-written).
   */
  async sweep(): Promise<void> {
    const tmp = buildTmpDir(this.root);
    for (const mp of await mountsBelow(tmp)) await unmountRootfs({ merged: mp });
    await fs.rm(tmp, { recursive: true, force: true });
    await sweepTemp(this.cache.dir);
  }

  /** Builds; returns the image ID. Errors after the first output line are the caller's to stream. */
  async build(body: Readable, opts: BuildOptions, out: BuildOutput): Promise<string> {
    const context = await openContext(body, { root: this.root, dockerfile: opts.dockerfile });
    try {
      const df = parseDockerfile(context.dockerfile.text, context.dockerfile.name);
      const steps = df.instructions.map((raw) => readInstruction(raw, context.dockerfile.name, df.escape));
      const { meta, stages } = splitStages(steps);
      if (stages.length === 0) throw new InvalidArgument('the Dockerfile (Dockerfile) cannot be empty');
      const labelLine = Object.keys(opts.labels).length ? labelStep(opts.labels) : undefined;

      const buildArgs = new Map(Object.entries(opts.buildArgs));
      const consumed = new Set<string>();
      // Meta ARGs (before the first FROM) are visible to FROM lines and inherited by `ARG x` in stages.
      const metaArgs = new Map<string, string>();
      const metaEnv = () => metaArgs;

      let targetIndex = stages.length - 1;
      if (opts.target) {
        targetIndex = stages.findIndex((s) => s.name === opts.target!.toLowerCase());
        if (targetIndex < 0) throw new InvalidArgument(`failed to reach build target ${opts.target} in Dockerfile`);
      }
      const needed = neededStages(stages.slice(0, targetIndex + 1), (w) => processWord(w, metaEnv(), { escape: df.escape }));
      if (labelLine) stages[targetIndex].steps.push(readInstruction(labelLine, context.dockerfile.name, df.escape));
      const total = meta.length + stages.filter((s) => needed.has(s.index)).reduce((n, s) => n + 1 + s.steps.length, 0);
      let stepNo = 0;
      const say = (text: string) => {
        if (!opts.quiet) out.stream(text);
      };
      const printStep = (s: Step) => say(`Step ${++stepNo}/${total} : ${s.raw.original}\n`);

      for (const m of meta) {
        printStep(m);
        if (m.kind !== 'arg') continue;
        for (const a of m.args) {
          const def = a.value !== undefined ? processWord(a.value, metaArgs, { escape: df.escape }) : undefined;
          const given = buildArgs.get(a.key);
          if (buildArgs.has(a.key)) consumed.add(a.key);
          const v = given ?? def;
          if (v !== undefined) metaArgs.set(a.key, v);
        }
      }

      const proxies = new Map<string, string>();
      for (const [k, v] of buildArgs) if (PROXY_ARGS.has(k) && v !== null) proxies.set(k, v);
      for (const k of proxies.keys()) consumed.add(k);

      const results = new Map<number, string>();
      const byName = new Map<string, number>();
      const resolveImage = async (ref: string): Promise<string> => this.imageFor(ref, say, opts.signal);
      const resolveFrom = async (ref: string): Promise<string> => {
        const idx = byName.get(ref.toLowerCase()) ?? (/^\d+$/.test(ref) ? Number(ref) : undefined);
        if (idx !== undefined) {
          const id = results.get(idx);
          if (id === undefined) throw new InvalidArgument(`invalid from flag value ${ref}: refers to a stage that is not built before this one`);
          return id;
        }
        try {
          return await resolveImage(ref);
        } catch (err) {
          throw withContext(err, `invalid from flag value ${ref}`);
        }
      };
      const tmpDir = buildTmpDir(this.root);

      let lastId = '';
      for (const stage of stages.slice(0, targetIndex + 1)) {
        if (stage.name) byName.set(stage.name, stage.index);
        if (!needed.has(stage.index)) continue;
        printStep(stage.from);
        const state = await this.fromStep(stage, { metaArgs, escape: df.escape, results, byName, resolveImage, say });
        const env: DispatchEnv = {
          engine: this.engine,
          cache: this.cache,
          context,
          out: { stream: say, progress: opts.quiet ? undefined : out.progress },
          noCache: opts.noCache,
          rm: opts.rm,
          networkMode: opts.networkMode,
          extraHosts: opts.extraHosts,
          escape: df.escape,
          tmpDir,
          buildArgs,
          consumed,
          proxies,
          resolveFrom,
          signal: opts.signal,
        };
        const runner = new StepRunner(env, state);
        await this.onBuildTriggers(state, runner, context.dockerfile.name, df.escape, say);
        for (const step of stage.steps) {
          if (opts.signal.aborted) throw new InvalidArgument('build canceled');
          printStep(step);
          await runner.run(step);
        }
        if (!state.imageId) throw new InvalidArgument('No image was generated. Is your Dockerfile empty?');
        results.set(stage.index, state.imageId);
        lastId = state.imageId;
      }

      // Before the tags (durable records) point at it and before the client hears its ID.
      await this.syncImage(lastId);
      const unused = [...buildArgs.keys()].filter((k) => !consumed.has(k)).sort();
      if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
      for (const t of opts.tags) await this.engine.images.tag(lastId, t);
      if (opts.quiet) out.stream(`${lastId}\n`);
      say(`Successfully built ${short(lastId)}\n`);
      for (const t of opts.tags) say(`Successfully tagged ${familiarName(normalizeReference(t))}\n`);
      return lastId;
    } finally {
      await context.close();
    }
  }

  /** The image a FROM or COPY --from names: local, else pulled when a registry client is wired. */
  private async imageFor(ref: string, say: (s: string) => void, signal: AbortSignal): Promise<string> {
    try {
      return this.engine.images.resolve(ref).id;
    } catch (err) {
      if (!isKind(err, 'not-found') || !this.engine.registry) throw err;
    }
    await this.engine.registry.pull({
      reference: ref,
      progress: (m) => {
        if (m.status && !m.progress) say(`${m.id ? `${m.id}: ` : ''}${m.status}\n`);
      },
      signal,
    });
    return this.engine.images.resolve(ref).id;
  }

  private async fromStep(
    stage: Stage,
    o: { metaArgs: Map<string, string>; escape: string; results: Map<number, string>; byName: Map<string, number>; resolveImage: (r: string) => Promise<string>; say: (s: string) => void },
  ): Promise<StageState> {
    const name = processWord(stage.from.image, o.metaArgs, { escape: o.escape });
    const state: StageState = { imageId: '', config: {}, args: new Map(), meta: o.metaArgs, cmdSet: false };
    const earlier = o.byName.get(name.toLowerCase());
    if (earlier !== undefined && earlier < stage.index) state.imageId = o.results.get(earlier)!;
    else if (name !== 'scratch') state.imageId = await o.resolveImage(name);
    if (state.imageId) {
      state.config = structuredClone(this.engine.images.resolve(state.imageId).config.config ?? {});
      // With ONBUILD triggers, Docker names the image only after they ran (their last step's line).
      if (!state.config.OnBuild?.length) o.say(` ---> ${short(state.imageId)}\n`);
    }
    if (!envMap(state.config.Env).has('PATH')) state.config.Env = [...(state.config.Env ?? []), `PATH=${DEFAULT_PATH}`];
    return state;
  }

  /** The base image's ONBUILD triggers run first, then are cleared from the config. */
  private async onBuildTriggers(state: StageState, runner: StepRunner, file: string, escape: string, say: (s: string) => void): Promise<void> {
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length === 0) return;
    state.config = { ...state.config, OnBuild: null };
    say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    const df = parseDockerfile(triggers.join('\n'), file);
    for (const raw of df.instructions) await runner.run(readInstruction(raw, file, escape));
  }
}

function splitStages(steps: Step[]): { meta: Step[]; stages: Stage[] } {
  const meta: Step[] = [];
  const stages: Stage[] = [];
  for (const s of steps) {
    if (s.kind === 'from') {
      stages.push({ index: stages.length, name: s.stage, from: s, steps: [] });
      continue;
    }
    if (stages.length === 0) {
      if (s.kind !== 'arg') throw new InvalidArgument(`dockerfile parse error line ${s.raw.line}: no build stage in current context`);
      meta.push(s);
      continue;
    }
    stages[stages.length - 1].steps.push(s);
  }
  return { meta, stages };
}

/** Stages the last one depends on, through `FROM <stage>` and `COPY --from=<stage>`. */
function neededStages(stages: Stage[], expand: (w: string) => string): Set<number> {
  const index = (ref: string, before: number): number | undefined => {
    const byName = stages.findIndex((s) => s.name === ref.toLowerCase());
    if (byName >= 0 && byName < before) return byName;
    if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
    return undefined;
  };
  const needed = new Set<number>();
  const visit = (i: number) => {
    if (needed.has(i)) return;
    needed.add(i);
    const st = stages[i];
    const from = index(expand(st.from.image), i);
    if (from !== undefined) visit(from);
    for (const s of st.steps) {
      if ((s.kind === 'copy' || s.kind === 'add') && s.from !== undefined) {
        const dep = index(expand(s.from), i);
        if (dep !== undefined) visit(dep);
      }
    }
  };
  visit(stages.length - 1);
  return needed;
}

/** `--label k=v`: Docker adds them as a LABEL step at the end of the target stage. */
function labelStep(labels: Record<string, string>) {
  const text = `LABEL ${Object.keys(labels).sort().map((k) => `${JSON.stringify(k)}=${JSON.stringify(labels[k])}`).join(' ')}`;
  return parseDockerfile(text).instructions[0];
}
