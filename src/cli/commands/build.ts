// docker build [OPTIONS] PATH | -: sends the context as a tar to POST /build (Docker's
// classic builder API) and prints its stream. PATH is a directory; "-" reads a tar, or a
// lone Dockerfile, from stdin; `-f -` reads the Dockerfile from stdin and adds it to the
// context under a private name. .dockerignore is applied by the daemon.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { buildImage } from '../../client/build.js';
import { jsonLines } from '../../client/jsonstream.js';
import { ExitError, err, out, type CliContext } from '../context.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'build', usage: 'build [OPTIONS] PATH | URL | -', description: 'Build an image from a Dockerfile', minArgs: 1, maxArgs: 1,
  flags: [
    { long: 'tag', short: 't', type: 'list', help: 'Name and optionally a tag in the "name:tag" format' },
    { long: 'file', short: 'f', type: 'string', help: 'Name of the Dockerfile (Default is "PATH/Dockerfile")' },
    { long: 'build-arg', type: 'list', help: 'Set build-time variables' },
    { long: 'target', type: 'string', help: 'Set the target build stage to build.' },
    { long: 'no-cache', type: 'bool', help: 'Do not use cache when building the image' },
    { long: 'label', type: 'list', help: 'Set metadata for an image' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress the build output and print image ID on success' },
    { long: 'iidfile', type: 'string', help: 'Write the image ID to the file' },
    { long: 'network', type: 'string', help: 'Set the networking mode for the RUN instructions during build', default: 'default' },
    { long: 'add-host', type: 'list', help: 'Add a custom host-to-IP mapping ("host:ip")' },
    { long: 'rm', type: 'bool', help: 'Remove intermediate containers after a successful build', default: true },
    { long: 'force-rm', type: 'bool', help: 'Always remove intermediate containers' },
    { long: 'pull', type: 'bool', help: 'Always attempt to pull a newer version of the image', hidden: true },
    { long: 'platform', type: 'string', hidden: true },
  ],
};

function keyValues(list: string[], env: boolean): Record<string, string | null> {
  const outMap: Record<string, string | null> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    // `--build-arg NAME` takes NAME from the environment (docker's rule), or stays unset.
    if (eq < 0) outMap[kv] = env ? (process.env[kv] ?? null) : '';
    else outMap[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return outMap;
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function looksLikeArchive(b: Buffer): boolean {
  if (b[0] === 0x1f && b[1] === 0x8b) return true;
  if (b.subarray(0, 3).toString('latin1') === 'BZh') return true;
  if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true;
  return b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

/** GNU tar of `dir` (and extra files from `extraDir`), numeric owners, streamed. */
function tarDirs(parts: Array<{ dir: string; names: string[] }>): Readable {
  const args = ['--numeric-owner', '-cf', '-'];
  for (const p of parts) args.push('-C', p.dir, ...p.names);
  const child = spawn('tar', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const outStream = new PassThrough();
  child.stdout.pipe(outStream);
  child.on('close', (code) => {
    if (code !== 0) outStream.destroy(new ExitError(1, `error creating build context tar (tar exited ${code})`));
  });
  return outStream;
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [ctxPath] = p.args as [string];
  let dockerfile = p.flags.file as string | undefined;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wharf-build-'));
  try {
    let body: Readable;
    if (ctxPath === '-') {
      const input = await readAll(ctx.stdin);
      if (looksLikeArchive(input)) body = Readable_from(input);
      else {
        await fs.writeFile(path.join(tmp, 'Dockerfile'), input);
        dockerfile = 'Dockerfile';
        body = tarDirs([{ dir: tmp, names: ['Dockerfile'] }]);
      }
    } else {
      const st = await fs.stat(ctxPath).catch(() => undefined);
      if (!st?.isDirectory()) throw new ExitError(1, `unable to prepare context: path "${ctxPath}" not found`);
      const parts = [{ dir: ctxPath, names: ['.'] }];
      if (dockerfile === '-') {
        const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
        await fs.writeFile(path.join(tmp, name), await readAll(ctx.stdin));
        parts.push({ dir: tmp, names: [name] });
        dockerfile = name;
      } else if (dockerfile) {
        // -f names a file on the client; the daemon wants its path inside the context.
        const rel = path.relative(path.resolve(ctxPath), path.resolve(dockerfile));
        if (rel.startsWith('..')) {
          const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
          await fs.copyFile(dockerfile, path.join(tmp, name));
          parts.push({ dir: tmp, names: [name] });
          dockerfile = name;
        } else dockerfile = rel;
      }
      body = tarDirs(parts);
    }
    const network = p.flags.network as string;
    const addHosts = p.flags['add-host'] as string[];
    const res = await buildImage(await ctx.client(), {
      context: body,
      tags: p.flags.tag as string[],
      dockerfile,
      buildargs: keyValues(p.flags['build-arg'] as string[], true),
      labels: keyValues(p.flags.label as string[], false),
      target: (p.flags.target as string) || undefined,
      nocache: p.flags['no-cache'] as boolean,
      quiet: p.flags.quiet as boolean,
      rm: p.flags.rm as boolean,
      forcerm: p.flags['force-rm'] as boolean,
      networkmode: network && network !== 'default' ? network : undefined,
      extrahosts: addHosts.length ? addHosts : undefined,
    });
    let id = '';
    for await (const m of jsonLines<{ stream?: string; aux?: { ID?: string }; error?: string; errorDetail?: { message?: string; code?: number } }>(res)) {
      if (m.error || m.errorDetail) {
        err(ctx, `${m.errorDetail?.message ?? m.error}\n`);
        return m.errorDetail?.code || 1;
      }
      if (m.aux?.ID) id = m.aux.ID;
      if (m.stream !== undefined) out(ctx, m.stream);
    }
    if (p.flags.iidfile && id) await fs.writeFile(p.flags.iidfile as string, id);
    return 0;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function Readable_from(b: Buffer): Readable {
  const s = new PassThrough();
  s.end(b);
  return s;
}
