// `compose build` and the build step of `up`: each service with `build:` sent to POST /build
// with its context as a tar, tagged with the service's image name.
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { buildImage, jsonLines, type EngineClient } from '../client/index.js';
import { InvalidArgument } from '../errdefs/index.js';
import { imageName, dockerfileInContext } from './convert.js';
import type { Project, Service } from './model.js';
import type { Progress } from './progress.js';

function tarContext(dir: string): Readable {
  const child = spawn('tar', ['--numeric-owner', '-cf', '-', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new PassThrough();
  child.stdout.pipe(out);
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  child.on('close', (code) => { if (code !== 0) out.destroy(new InvalidArgument(`cannot read build context ${dir}: ${stderr.trim()}`)); });
  return out;
}

export interface BuildOptions { noCache?: boolean; args?: Record<string, string> }

/** Builds one service's image; returns its ID. Errors name the service. */
export async function buildService(c: EngineClient, project: Project, s: Service, o: BuildOptions, progress: Progress): Promise<string> {
  const b = s.build;
  if (!b) throw new InvalidArgument(`service ${s.name} has no build section`);
  const df = dockerfileInContext(b.context, b.dockerfile);
  if (!df.inside) throw new InvalidArgument(`service "${s.name}": the Dockerfile ${b.dockerfile} must be inside the build context ${b.context}`);
  const tag = imageName(project, s);
  progress.event('Service', s.name, 'Building');
  try {
    const res = await buildImage(c, {
      context: tarContext(b.context), tags: [tag, ...(b.tags ?? [])], dockerfile: df.rel,
      buildargs: { ...(b.args ?? {}), ...(o.args ?? {}) }, labels: b.labels, target: b.target,
      nocache: o.noCache || b.no_cache, networkmode: b.network, extrahosts: b.extra_hosts, rm: true,
    });
    const id = await buildOutput(res, (line) => progress.note(line));
    progress.event('Service', s.name, 'Built');
    return id;
  } catch (e) {
    if (e instanceof BuildFailed) throw new InvalidArgument(`failed to build service "${s.name}": ${e.message}`);
    throw e;
  }
}

/** Reads a build's stream: resolves with the image ID, rejects with the build's error; `onLine` sees the output. */
async function buildOutput(res: Readable, onLine: (s: string) => void): Promise<string> {
  let id = '';
  for await (const m of jsonLines<{ stream?: string; aux?: { ID?: string }; error?: string; errorDetail?: { message?: string } }>(res)) {
    if (m.error || m.errorDetail) throw new BuildFailed(m.errorDetail?.message ?? m.error ?? 'build failed');
    if (m.aux?.ID) id = m.aux.ID;
    if (m.stream) onLine(m.stream);
  }
  return id;
}

class BuildFailed extends Error {
  override readonly name = 'BuildFailed';
}
