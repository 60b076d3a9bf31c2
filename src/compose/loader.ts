// From files on disk to a resolved Project: which files (`-f`, COMPOSE_FILE, or the
// default names searched upward with their `.override` companion), the project directory,
// the .env file, interpolation, `include`, `extends`, override merging, profiles, names of
// the project's networks and volumes, and the checks that must fail before anything runs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InvalidArgument, NotFound } from '../errdefs/index.js';
import { parseDotEnv } from './dotenv.js';
import { checkGraph, withDependencies } from './graph.js';
import { interpolateTree, type Lookup } from './interpolate.js';
import { mergeSection, mergeService } from './merge.js';
import type { FileObject, NetworkConfig, Project, Service, VolumeConfig } from './model.js';
import { normalizeService, SchemaError, type NormalizeContext } from './normalize.js';
import { validateSchema } from './schema.js';
import { checkPortConflicts } from './validate.js';

export interface LoadOptions {
  /** `-f` files in order; `-` reads `stdin`. Empty: COMPOSE_FILE, else the default names. */
  files?: string[];
  projectName?: string;
  projectDirectory?: string;
  /** `--env-file`; default `<project dir>/.env` when it exists. */
  envFiles?: string[];
  /** `--profile`; COMPOSE_PROFILES adds to it. */
  profiles?: string[];
  /** Services named on the command line: active whatever their profiles. */
  services?: string[];
  /**
   * The command acts on the project's existing containers (down, ps, logs, stop…): what only
   * making them needs — free host ports, build contexts on disk — is not checked, so a
   * project that could not be brought up can still be inspected and taken down.
   */
  existingOnly?: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: () => string;
}

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDES: Record<string, string[]> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
};

type Raw = Record<string, unknown>;
const isObj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The files compose would read: the first default name found in cwd or a parent, and its override. */
export function findDefaultFiles(cwd: string): string[] {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const name of DEFAULT_FILES) {
      const f = path.join(dir, name);
      if (!existsSync(f)) continue;
      const over = (OVERRIDES[name] ?? []).map((o) => path.join(dir, o)).find((o) => existsSync(o));
      return over ? [f, over] : [f];
    }
    if (dir === path.dirname(dir)) return [];
  }
}

/** Compose's project name rule: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export function normalizeProjectName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

interface RawFile { file: string; doc: Raw }

function readFile(file: string, o: LoadOptions, lookup: Lookup): RawFile {
  const text = file === '-' ? (o.stdin?.() ?? '') : readText(file);
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true, uniqueKeys: true });
  } catch (e) {
    throw new InvalidArgument(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (!isObj(doc)) throw new SchemaError(`validating ${file}: top-level object must be a mapping`);
  // As compose-go: each file is validated on its own, after interpolation, before merging.
  const interpolated = interpolateTree(doc, lookup) as Raw;
  validateSchema(interpolated, file === '-' ? 'stdin' : file);
  return { file, doc: interpolated };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFound(`open ${file}: no such file or directory`);
    throw e;
  }
}

interface Partial { services: Record<string, Service>; networks: Raw; volumes: Raw; secrets: Raw; configs: Raw; name?: string }

function section(doc: Raw, key: string, file: string): Raw {
  const v = doc[key];
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new SchemaError(`validating ${file}: ${key} must be a mapping`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x ?? {}]));
}

/** One file's services, with `extends` resolved (same file, or `extends.file`). */
function servicesOf(rf: RawFile, ctx: NormalizeContext, o: LoadOptions, lookup: Lookup, seen: string[] = []): Record<string, Service> {
  const raw = section(rf.doc, 'services', rf.file);
  const out: Record<string, Service> = {};
  const resolve = (name: string, trail: string[]): Service => {
    if (out[name]) return out[name] as Service;
    if (!(name in raw)) throw new InvalidArgument(`cannot extend service "${name}" in ${rf.file}: service not found`);
    const r = raw[name];
    let s = normalizeService(name, r, { ...ctx, file: rf.file });
    const ext = isObj(r) ? r.extends : undefined;
    if (ext !== undefined) {
      const spec = typeof ext === 'string' ? { service: ext } : isObj(ext) ? ext : {};
      const base = String(spec.service ?? '');
      let baseService: Service;
      if (spec.file !== undefined) {
        const other = path.resolve(path.dirname(rf.file === '-' ? path.join(o.cwd, 'x') : rf.file), String(spec.file));
        if (seen.includes(other)) throw new InvalidArgument(`circular reference with extends in ${other}`);
        // Relative paths in the extended file are relative to that file (compose spec).
        const sub = servicesOf(readFile(other, o, lookup), { ...ctx, baseDir: path.dirname(other) }, o, lookup, [...seen, rf.file]);
        if (!sub[base]) throw new InvalidArgument(`cannot extend service "${name}" in ${rf.file}: service "${base}" not found in ${other}`);
        baseService = sub[base] as Service;
      } else {
        if (trail.includes(base)) throw new InvalidArgument(`circular reference with extends: ${[...trail, base].join(' -> ')}`);
        baseService = resolve(base, [...trail, name]);
      }
      // depends_on is not inherited, as in the spec.
      const { depends_on: _skip, ...inherited } = baseService;
      void _skip;
      s = mergeService({ ...inherited, name } as Service, s);
    }
    out[name] = s;
    return s;
  };
  for (const name of Object.keys(raw)) resolve(name, [name]);
  return out;
}

function mergeInto(acc: Partial, next: Partial): void {
  for (const [n, s] of Object.entries(next.services)) acc.services[n] = acc.services[n] ? mergeService(acc.services[n] as Service, s) : s;
  acc.networks = mergeSection(acc.networks, next.networks);
  acc.volumes = mergeSection(acc.volumes, next.volumes);
  acc.secrets = mergeSection(acc.secrets, next.secrets);
  acc.configs = mergeSection(acc.configs, next.configs);
  if (next.name !== undefined) acc.name = next.name;
}

/** `include:` entries: each is a project of its own (own directory), merged in; conflicts are errors. */
function includes(rf: RawFile, o: LoadOptions, lookup: Lookup, acc: Partial, own: string[]): void {
  const inc = rf.doc.include;
  if (inc === undefined || inc === null) return;
  if (!Array.isArray(inc)) throw new SchemaError(`validating ${rf.file}: include must be a list`);
  const here = rf.file === '-' ? o.cwd : path.dirname(rf.file);
  for (const item of inc) {
    const spec: { path: unknown[]; project_directory?: unknown } = typeof item === 'string' ? { path: [item] } : isObj(item) ? { ...item, path: Array.isArray(item.path) ? item.path : [item.path] } : { path: [] };
    const files = (spec.path as unknown[]).map((p) => path.resolve(here, String(p)));
    const dir = spec.project_directory ? path.resolve(here, String(spec.project_directory)) : path.dirname(files[0] as string);
    const sub = loadPartial(files, { ...o, projectDirectory: dir }, lookup);
    for (const n of Object.keys(sub.services)) if (acc.services[n] || own.includes(n)) throw new InvalidArgument(`services.${n} conflicts with imported resource`);
    mergeInto(acc, { ...sub, name: undefined });
  }
}

function loadPartial(files: string[], o: LoadOptions, lookup: Lookup): Partial {
  const baseDir = o.projectDirectory as string;
  const acc: Partial = { services: {}, networks: {}, volumes: {}, secrets: {}, configs: {} };
  for (const f of files) {
    const rf = readFile(f, o, lookup);
    const ctx: NormalizeContext = { file: f, baseDir, lookup };
    const services = servicesOf(rf, ctx, o, lookup);
    // Included services may not share a name with the including file's own.
    includes(rf, o, lookup, acc, Object.keys(services));
    mergeInto(acc, {
      services, networks: section(rf.doc, 'networks', f), volumes: section(rf.doc, 'volumes', f),
      secrets: section(rf.doc, 'secrets', f), configs: section(rf.doc, 'configs', f),
      name: rf.doc.name === undefined ? undefined : String(rf.doc.name),
    });
  }
  return acc;
}

function readEnvFiles(files: string[], outer: Lookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of files) Object.assign(env, parseDotEnv(readText(f), (k) => env[k] ?? outer(k), f));
  return env;
}

export function loadProject(o: LoadOptions): Project {
  const procEnv = o.env;
  let files = o.files?.length ? o.files : procEnv.COMPOSE_FILE ? procEnv.COMPOSE_FILE.split(procEnv.COMPOSE_PATH_SEPARATOR ?? ':') : findDefaultFiles(o.projectDirectory ?? o.cwd);
  if (!files.length) throw new NotFound('no configuration file provided: not found');
  files = files.map((f) => (f === '-' ? f : path.resolve(o.cwd, f)));
  const workingDir = path.resolve(o.cwd, o.projectDirectory ?? (files[0] === '-' ? o.cwd : path.dirname(files[0] as string)));
  const envFiles = (o.envFiles?.length ? o.envFiles.map((f) => path.resolve(o.cwd, f)) : [path.join(workingDir, '.env')].filter((f) => existsSync(f)));
  const dotenv = readEnvFiles(envFiles, (k) => procEnv[k]);
  // The process's environment wins over the .env file.
  const environment: Record<string, string> = { ...dotenv };
  for (const [k, v] of Object.entries(procEnv)) if (v !== undefined) environment[k] = v;
  const lookup: Lookup = (k) => environment[k];

  const acc = loadPartial(files, { ...o, projectDirectory: workingDir }, lookup);
  const rawName = o.projectName || environment.COMPOSE_PROJECT_NAME || acc.name || path.basename(workingDir);
  const name = o.projectName || environment.COMPOSE_PROJECT_NAME || acc.name ? rawName : normalizeProjectName(rawName);
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new InvalidArgument(`invalid project name "${name}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }

  const active = new Set([...(o.profiles ?? []), ...(environment.COMPOSE_PROFILES ?? '').split(',').filter(Boolean)]);
  const named = new Set(o.services ?? []);
  const all = acc.services;
  for (const n of named) if (!all[n]) throw new NotFound(`no such service: ${n}`);
  const enabledNames = new Set(Object.values(all).filter((s) => !s.profiles?.length || active.has('*') || s.profiles.some((p) => active.has(p)) || named.has(s.name)).map((s) => s.name));
  // A service named on the command line brings its dependencies along, whatever their profiles.
  for (const n of withDependencies(all, [...named])) enabledNames.add(n);
  const services: Record<string, Service> = {};
  const disabled: Record<string, Service> = {};
  for (const n of Object.keys(all).sort()) (enabledNames.has(n) ? services : disabled)[n] = all[n] as Service;

  const project: Project = {
    name, workingDir, configFiles: files, environment, envFiles: o.envFiles?.length ? envFiles : [], services, disabled,
    networks: networks(name, acc.networks, services), volumes: volumes(name, acc.volumes),
    secrets: fileObjects(name, acc.secrets, workingDir), configs: fileObjects(name, acc.configs, workingDir),
  };
  checkReferences(project, o);
  checkGraph(services, disabled);
  if (!o.existingOnly) checkPortConflicts(services);
  return project;
}

function networks(project: string, raw: Raw, services: Record<string, Service>): Record<string, NetworkConfig> {
  const out: Record<string, NetworkConfig> = {};
  for (const s of Object.values(services)) if (!s.network_mode && !s.networks) s.networks = { default: null };
  const used = Object.values(services).some((s) => s.networks && 'default' in s.networks);
  const entries = Object.entries(raw);
  if (used && !raw.default) entries.unshift(['default', {}]);
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const n = (isObj(v) ? v : {}) as Raw;
    const external = n.external === true || isObj(n.external);
    const cfg: NetworkConfig = { name: n.name ? String(n.name) : external ? k : `${project}_${k}`, ...n } as NetworkConfig;
    cfg.name = n.name ? String(n.name) : external ? k : `${project}_${k}`;
    if (external) cfg.external = true;
    out[k] = cfg;
  }
  return out;
}

function volumes(project: string, raw: Raw): Record<string, VolumeConfig> {
  const out: Record<string, VolumeConfig> = {};
  for (const [k, v] of Object.entries(raw).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const n = (isObj(v) ? v : {}) as Raw;
    const external = n.external === true || isObj(n.external);
    const cfg = { ...n, name: n.name ? String(n.name) : external ? k : `${project}_${k}` } as VolumeConfig;
    if (external) cfg.external = true;
    out[k] = cfg;
  }
  return out;
}

function fileObjects(project: string, raw: Raw, dir: string): Record<string, FileObject> {
  const out: Record<string, FileObject> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = (isObj(v) ? v : {}) as Raw;
    out[k] = { ...n, name: n.name ? String(n.name) : `${project}_${k}`, ...(n.file ? { file: path.resolve(dir, String(n.file)) } : {}) } as FileObject;
  }
  return out;
}

function checkReferences(p: Project, o: Pick<LoadOptions, 'existingOnly'>): void {
  for (const s of Object.values(p.services)) {
    for (const n of Object.keys(s.networks ?? {})) if (!p.networks[n]) throw new InvalidArgument(`service "${s.name}" refers to undefined network ${n}: invalid compose project`);
    for (const v of s.volumes ?? []) if (v.type === 'volume' && v.source && !p.volumes[v.source]) throw new InvalidArgument(`service "${s.name}" refers to undefined volume ${v.source}: invalid compose project`);
    for (const r of s.secrets ?? []) if (!p.secrets[r.source]) throw new InvalidArgument(`service "${s.name}" refers to undefined secret ${r.source}: invalid compose project`);
    for (const r of s.configs ?? []) if (!p.configs[r.source]) throw new InvalidArgument(`service "${s.name}" refers to undefined config ${r.source}: invalid compose project`);
    if (s.network_mode && s.networks) throw new InvalidArgument(`service ${s.name} declares mutually exclusive \`network_mode\` and \`networks\`: invalid compose project`);
    if (!s.image && !s.build) throw new InvalidArgument(`service "${s.name}" has neither an image nor a build context specified: invalid compose project`);
    if (s.build && !o.existingOnly && !existsSync(s.build.context)) throw new InvalidArgument(`service "${s.name}": build context ${s.build.context} not found`);
  }
}
