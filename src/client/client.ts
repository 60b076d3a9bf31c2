// A typed Engine API client: one method per endpoint the CLI uses. Methods return parsed
// JSON, or the response stream for streaming endpoints, or a raw socket for attach/exec.
// Errors: ApiError (errdefs class + statusCode) for daemon answers, ConnectionError when
// the socket cannot be reached.
//
// API version: docker's CLI pings before its first request to learn the daemon's version.
// We save that round trip: requests go out with our own version, and only a daemon older
// than us answers 400 "client version X is too new. Maximum supported API version is Y";
// then we adopt Y and send the request again. Same outcome as docker's negotiation.
import type { Duplex, Readable } from 'node:stream';
import { readAll, isReplayable, UnixTransport, type RequestOptions, type Response } from './transport.js';
import { ConnectionError, isApiError } from './errors.js';
import type * as T from './types.js';
import type { AuthConfig, SystemAuthResponse } from '../contract/index.js';

import { CLIENT_API_VERSION, compareVersions } from './api-version.js';

export { CLIENT_API_VERSION, compareVersions };
export type { Response };

export interface AttachOptions { stream?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; detachKeys?: string }
export interface LogsOptions { follow?: boolean; stdout?: boolean; stderr?: boolean; since?: string; until?: string; timestamps?: boolean; tail?: string }
export interface ListContainersOptions { all?: boolean; limit?: number; size?: boolean; filters?: T.Filters }
export interface ListImagesOptions { all?: boolean; digests?: boolean; filters?: T.Filters }
export interface ImportOptions { source: Readable | Buffer; repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string }

export interface EngineClientOptions {
  /**
   * Called once, on the first request that finds no daemon listening (ENOENT or
   * ECONNREFUSED); when it resolves the request is sent again. connect() uses it to start
   * wharfd on the default socket.
   */
  onUnreachable?: () => Promise<void>;
}

/** Docker's `filters` query value: `{"key":{"value":true}}`; undefined when there are none. */
export function filtersQuery(f: T.Filters | undefined): string | undefined {
  return f && Object.keys(f).length ? JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Object.fromEntries(v.map((x) => [x, true]))]))) : undefined;
}

const TOO_NEW = /client version \S+ is too new\. Maximum supported API version is (\d+\.\d+)/;

export class EngineClient {
  readonly transport: UnixTransport;
  /** API version in use: ours until a daemon says it is older (or `negotiate()` asked it). */
  apiVersion = CLIENT_API_VERSION;
  private negotiated = false;
  private onUnreachable?: () => Promise<void>;

  constructor(socketPath: string, o: EngineClientOptions = {}) {
    this.transport = new UnixTransport(socketPath);
    this.onUnreachable = o.onUnreachable;
  }

  get socketPath(): string { return this.transport.socketPath; }

  /** Pings and adopts min(client, daemon) API version, as docker's NegotiateAPIVersion does. */
  async negotiate(): Promise<T.Ping> {
    const ping = await this.ping();
    if (ping.apiVersion && compareVersions(ping.apiVersion, CLIENT_API_VERSION) < 0) this.apiVersion = ping.apiVersion;
    this.negotiated = true;
    return ping;
  }

  async ping(): Promise<T.Ping> {
    const res = await this.send({ path: '/_ping' }, { versioned: false }, (r) => this.transport.request(r));
    res.resume();
    const h = res.headers;
    return { apiVersion: h['api-version'], osType: h['ostype'], experimental: h['docker-experimental'] === 'true' };
  }

  close(): void { this.transport.close(); }

  // ---- plumbing
  /** Sends a request below the version prefix, recovering from "no daemon yet" and "too new" once each. */
  async raw(opts: RequestOptions): Promise<Response> { return this.send(opts, { versioned: true }, (r) => this.transport.request(r)); }

  private hijack(opts: RequestOptions): Promise<Duplex> { return this.send(opts, { versioned: true }, (r) => this.transport.hijack(r)); }

  private async send<R>(opts: RequestOptions, o: { versioned: boolean }, call: (r: RequestOptions) => Promise<R>): Promise<R> {
    const replayable = isReplayable(opts);
    // A one-shot body cannot be sent twice: learn the version first.
    if (o.versioned && !replayable && !this.negotiated) await this.negotiate();
    const go = (): Promise<R> => call({ ...opts, path: (o.versioned ? `/v${this.apiVersion}` : '') + opts.path });
    try {
      return await go();
    } catch (e) {
      if (e instanceof ConnectionError && this.onUnreachable && (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')) {
        const start = this.onUnreachable;
        this.onUnreachable = undefined;
        await start();
        return this.send(opts, o, call);
      }
      const m = isApiError(e) && e.statusCode === 400 && !this.negotiated ? TOO_NEW.exec(e.message) : null;
      if (!m || !replayable) throw e;
      this.apiVersion = m[1] as string;
      this.negotiated = true;
      return go();
    }
  }

  async json<R>(opts: RequestOptions): Promise<R> {
    const body = (await readAll(await this.raw(opts))).toString('utf8');
    return (body.trim() ? JSON.parse(body) : undefined) as R;
  }
  /** JSON plus the exact bytes, for `inspect` which prints the daemon's own JSON. */
  async jsonRaw<R>(opts: RequestOptions): Promise<{ value: R; raw: string }> {
    const raw = (await readAll(await this.raw(opts))).toString('utf8');
    return { value: JSON.parse(raw) as R, raw };
  }
  private async empty(opts: RequestOptions): Promise<void> { (await this.raw(opts)).resume(); }

  // ---- system
  version(): Promise<T.VersionInfo> { return this.json({ path: '/version' }); }
  info(): Promise<T.SystemInfo> { return this.json({ path: '/info' }); }

  // ---- images
  listImages(o: ListImagesOptions = {}): Promise<T.ImageSummary[]> {
    return this.json({ path: '/images/json', query: { all: o.all ? 1 : undefined, digests: o.digests ? 1 : undefined, filters: filtersQuery(o.filters) } });
  }
  inspectImage(ref: string): Promise<{ value: T.ImageInspect; raw: string }> { return this.jsonRaw({ path: `/images/${encodeURIComponent(ref)}/json` }); }
  imageHistory(ref: string): Promise<T.HistoryItem[]> { return this.json({ path: `/images/${encodeURIComponent(ref)}/history` }); }
  tagImage(ref: string, repo: string, tag?: string): Promise<void> {
    return this.empty({ method: 'POST', path: `/images/${encodeURIComponent(ref)}/tag`, query: { repo, tag } });
  }
  removeImage(ref: string, o: { force?: boolean; noprune?: boolean } = {}): Promise<T.DeleteItem[]> {
    return this.json({ method: 'DELETE', path: `/images/${encodeURIComponent(ref)}`, query: { force: o.force ? 1 : undefined, noprune: o.noprune ? 1 : undefined } });
  }
  pruneImages(filters?: T.Filters): Promise<T.ImagePruneReport> { return this.json({ method: 'POST', path: '/images/prune', query: { filters: filtersQuery(filters) } }); }
  /** POST /images/create?fromSrc=-: returns the JSON-lines progress stream. */
  importImage(o: ImportOptions): Promise<Response> {
    return this.raw(importRequest(o));
  }
  /** POST /images/create?fromImage=: returns the JSON-lines progress stream. */
  pullImage(image: string, o: { tag?: string; platform?: string; registryAuth?: string } = {}): Promise<Response> {
    return this.raw({ method: 'POST', path: '/images/create', query: { fromImage: image, tag: o.tag, platform: o.platform }, headers: o.registryAuth ? { 'X-Registry-Auth': o.registryAuth } : {} });
  }
  /** POST /images/{name}/push: returns the JSON-lines progress stream. `registryAuth` is the base64url X-Registry-Auth. */
  pushImage(name: string, o: { tag?: string; registryAuth?: string } = {}): Promise<Response> {
    return this.raw({ method: 'POST', path: `/images/${encodeURIComponent(name)}/push`, query: { tag: o.tag }, headers: { 'X-Registry-Auth': o.registryAuth ?? 'e30=' } });
  }
  /** POST /auth: checks credentials against a registry. */
  registryLogin(auth: AuthConfig): Promise<SystemAuthResponse> {
    return this.json({ method: 'POST', path: '/auth', body: auth });
  }
  saveImages(names: string[]): Promise<Response> {
    // `names` repeats once per image, which encodeQuery's object form cannot express.
    return this.raw({ path: `/images/get?${names.map((n) => `names=${encodeURIComponent(n)}`).join('&')}` });
  }
  loadImages(source: Readable | Buffer, o: { quiet?: boolean } = {}): Promise<Response> {
    return this.raw({ method: 'POST', path: '/images/load', rawBody: source, query: { quiet: o.quiet ? 1 : undefined }, headers: { 'Content-Type': 'application/x-tar' } });
  }

  // ---- containers
  listContainers(o: ListContainersOptions = {}): Promise<T.ContainerSummary[]> {
    return this.json({ path: '/containers/json', query: { all: o.all ? 1 : undefined, limit: o.limit, size: o.size ? 1 : undefined, filters: filtersQuery(o.filters) } });
  }
  createContainer(body: T.ContainerCreateBody, o: { name?: string; platform?: string } = {}): Promise<T.ContainerCreateResponse> {
    return this.json({ method: 'POST', path: '/containers/create', query: { name: o.name, platform: o.platform }, body });
  }
  inspectContainer(id: string, o: { size?: boolean } = {}): Promise<{ value: T.ContainerInspect; raw: string }> {
    return this.jsonRaw({ path: `/containers/${encodeURIComponent(id)}/json`, query: { size: o.size ? 1 : undefined } });
  }
  startContainer(id: string): Promise<void> { return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/start` }); }
  stopContainer(id: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/stop`, query: { t: o.timeout, signal: o.signal } });
  }
  restartContainer(id: string, o: { timeout?: number; signal?: string } = {}): Promise<void> {
    return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/restart`, query: { t: o.timeout, signal: o.signal } });
  }
  killContainer(id: string, signal?: string): Promise<void> {
    return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/kill`, query: { signal } });
  }
  pauseContainer(id: string): Promise<void> { return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/pause` }); }
  unpauseContainer(id: string): Promise<void> { return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/unpause` }); }
  renameContainer(id: string, name: string): Promise<void> {
    return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/rename`, query: { name } });
  }
  removeContainer(id: string, o: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    return this.empty({ method: 'DELETE', path: `/containers/${encodeURIComponent(id)}`, query: { force: o.force ? 1 : undefined, v: o.volumes ? 1 : undefined, link: o.link ? 1 : undefined } });
  }
  listVolumes(filters?: T.Filters): Promise<T.VolumeListResponse> { return this.json({ path: '/volumes', query: { filters: filtersQuery(filters) } }); }
  createVolume(body: T.VolumeCreateBody): Promise<T.Volume> { return this.json({ method: 'POST', path: '/volumes/create', body }); }
  inspectVolume(name: string): Promise<T.Volume> { return this.json({ path: `/volumes/${encodeURIComponent(name)}` }); }
  removeVolume(name: string, o: { force?: boolean } = {}): Promise<void> {
    return this.empty({ method: 'DELETE', path: `/volumes/${encodeURIComponent(name)}`, query: { force: o.force ? 1 : undefined } });
  }
  pruneVolumes(filters?: T.Filters): Promise<T.VolumePruneReport> { return this.json({ method: 'POST', path: '/volumes/prune', query: { filters: filtersQuery(filters) } }); }
  pruneContainers(filters?: T.Filters): Promise<T.ContainerPruneReport> { return this.json({ method: 'POST', path: '/containers/prune', query: { filters: filtersQuery(filters) } }); }
  topContainer(id: string, psArgs?: string): Promise<T.TopResponse> { return this.json({ path: `/containers/${encodeURIComponent(id)}/top`, query: { ps_args: psArgs } }); }
  /**
   * POST /containers/{id}/wait. Resolves once the daemon has accepted the wait (headers
   * sent), with `result` settling when the container reaches the condition, so callers can
   * register the wait *before* starting the container, as docker run does. `cancel()`
   * drops a wait that is no longer wanted (its connection would keep the process alive).
   */
  async waitContainer(id: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<{ result: Promise<T.WaitResponse>; cancel(): void }> {
    const res = await this.raw({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/wait`, query: { condition } });
    const result = readAll(res).then((b) => JSON.parse(b.toString('utf8')) as T.WaitResponse);
    result.catch(() => undefined); // a caller that gives up on the wait must not crash the process
    return { result, cancel: () => res.destroy() };
  }
  containerLogs(id: string, o: LogsOptions): Promise<Response> {
    return this.raw({
      path: `/containers/${encodeURIComponent(id)}/logs`,
      query: { follow: o.follow ? 1 : undefined, stdout: o.stdout ? 1 : undefined, stderr: o.stderr ? 1 : undefined, since: o.since, until: o.until, timestamps: o.timestamps ? 1 : undefined, tail: o.tail },
    });
  }
  exportContainer(id: string): Promise<Response> { return this.raw({ path: `/containers/${encodeURIComponent(id)}/export` }); }
  /** HEAD /containers/{id}/archive: the path's stat, decoded from X-Docker-Container-Path-Stat. */
  async statContainerPath(id: string, path: string): Promise<T.ContainerPathStat> {
    const res = await this.raw({ method: 'HEAD', path: `/containers/${encodeURIComponent(id)}/archive`, query: { path } });
    res.resume();
    return decodePathStat(res.headers['x-docker-container-path-stat']);
  }
  /** GET /containers/{id}/archive: a tar of the path, and its stat. */
  async getArchive(id: string, path: string): Promise<{ content: Response; stat: T.ContainerPathStat }> {
    const content = await this.raw({ path: `/containers/${encodeURIComponent(id)}/archive`, query: { path } });
    return { content, stat: decodePathStat(content.headers['x-docker-container-path-stat']) };
  }
  putArchive(id: string, path: string, tar: Readable, o: { copyUIDGID?: boolean; noOverwriteDirNonDir?: boolean } = {}): Promise<void> {
    return this.empty({
      method: 'PUT', path: `/containers/${encodeURIComponent(id)}/archive`, rawBody: tar, headers: { 'Content-Type': 'application/x-tar' },
      query: { path, noOverwriteDirNonDir: o.noOverwriteDirNonDir ? 'true' : undefined, copyUIDGID: o.copyUIDGID ? 'true' : undefined },
    });
  }
  containerChanges(id: string): Promise<T.ContainerChange[] | null> { return this.json({ path: `/containers/${encodeURIComponent(id)}/changes` }); }
  commitContainer(o: T.CommitOptions): Promise<{ Id: string }> {
    return this.json({
      method: 'POST', path: `/commit?${commitQuery(o)}`, body: o.config ?? {},
    });
  }
  /** Hijacks the connection: raw bytes both ways (framed when the container has no TTY). */
  attachContainer(id: string, o: AttachOptions): Promise<Duplex> {
    return this.hijack({
      method: 'POST', path: `/containers/${encodeURIComponent(id)}/attach`,
      query: { stream: o.stream ? 1 : undefined, stdin: o.stdin ? 1 : undefined, stdout: o.stdout ? 1 : undefined, stderr: o.stderr ? 1 : undefined, logs: o.logs ? 1 : undefined, detachKeys: o.detachKeys },
    });
  }
  resizeContainer(id: string, size: { h: number; w: number }): Promise<void> {
    return this.empty({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/resize`, query: size });
  }

  // ---- exec
  createExec(id: string, body: T.ExecCreateBody): Promise<{ Id: string }> {
    return this.json({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/exec`, body });
  }
  /** Detached start: returns once the process is started. */
  startExecDetached(execId: string): Promise<void> {
    return this.empty({ method: 'POST', path: `/exec/${execId}/start`, body: { Detach: true, Tty: false } });
  }
  startExecAttached(execId: string, o: { tty: boolean }): Promise<Duplex> {
    return this.hijack({ method: 'POST', path: `/exec/${execId}/start`, body: { Detach: false, Tty: o.tty } });
  }
  inspectExec(execId: string): Promise<T.ExecInspect> { return this.json({ path: `/exec/${execId}/json` }); }
  resizeExec(execId: string, size: { h: number; w: number }): Promise<void> {
    return this.empty({ method: 'POST', path: `/exec/${execId}/resize`, query: size });
  }
}

/** `changes` repeats once per --change, so the query is built by hand. */
function importRequest(o: ImportOptions): RequestOptions {
  const base = new URLSearchParams();
  base.set('fromSrc', '-');
  if (o.repo) base.set('repo', o.repo);
  if (o.tag) base.set('tag', o.tag);
  if (o.message) base.set('message', o.message);
  if (o.platform) base.set('platform', o.platform);
  for (const c of o.changes ?? []) base.append('changes', c);
  return { method: 'POST', path: `/images/create?${base.toString()}`, rawBody: o.source, headers: { 'Content-Type': 'application/x-tar' } };
}

function decodePathStat(header: string | undefined): T.ContainerPathStat {
  if (!header) return { name: '', size: 0, mode: 0, mtime: '', linkTarget: '' };
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as T.ContainerPathStat;
}

function commitQuery(o: T.CommitOptions): string {
  const q = new URLSearchParams();
  q.set('container', o.container);
  if (o.repo) q.set('repo', o.repo);
  if (o.tag) q.set('tag', o.tag);
  if (o.comment) q.set('comment', o.comment);
  if (o.author) q.set('author', o.author);
  q.set('pause', o.pause === false ? '0' : '1');
  for (const c of o.changes ?? []) q.append('changes', c);
  return q.toString();
}
