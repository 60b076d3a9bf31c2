// docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-   and   SRC_PATH|- CONTAINER:DEST_PATH
// (docker/cli cli/command/container/cp.go; the path rules are in ../cp-local.ts).
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineClient } from '../../client/index.js';
import { ExitError, type CliContext } from '../context.js';
import {
  absLocal, localDestination, localSource, prepareArchiveCopy, splitCpArg, splitPathDirEntry, tarLocal, untarLocal, type CopyInfo,
} from '../cp-local.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'cp',
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  minArgs: 2,
  maxArgs: 2,
  flags: [
    { long: 'archive', short: 'a', type: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', type: 'bool', help: 'Always follow symlinks in SRC_PATH' },
    { long: 'quiet', short: 'q', type: 'bool', help: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
  ],
};

interface CpOptions {
  container: string;
  srcPath: string;
  dstPath: string;
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
}

// Go os.FileMode bits as the daemon sends them.
const hasBit = (m: number, bit: number) => Math.floor(m / 2 ** bit) % 2 === 1;
const isDirMode = (m: number) => hasBit(m, 31);
const isSymlinkMode = (m: number) => hasBit(m, 27);
/** A directory or a regular file (no type bit but ModeDir: symlink, device, pipe, socket, char device, irregular). */
const isDirOrRegular = (m: number) => isDirMode(m) || ![27, 26, 25, 24, 21, 19].some((b) => hasBit(m, b));

/** Counts the bytes that pass, without starting the flow before a consumer is attached. */
function counting(src: Readable): { stream: Readable; bytes(): number } {
  let n = 0;
  const stream = new Transform({ transform(chunk: Buffer, _enc, cb) { n += chunk.length; cb(null, chunk); } });
  src.on('error', (err) => stream.destroy(err));
  src.pipe(stream);
  return { stream, bytes: () => n };
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const [source, destination] = p.args as [string, string];
  if (source === '') throw new ExitError(1, 'source can not be empty');
  if (destination === '') throw new ExitError(1, 'destination can not be empty');
  const src = splitCpArg(source);
  const dst = splitCpArg(destination);
  if (src.container && dst.container) throw new ExitError(1, 'copying between containers is not supported');
  if (!src.container && !dst.container) throw new ExitError(1, 'must specify at least one container source');
  const quiet = p.set.has('quiet') ? Boolean(p.flags.quiet) : !(ctx.stdout as { isTTY?: boolean }).isTTY;
  const opts: CpOptions = {
    container: src.container || dst.container,
    srcPath: src.path,
    dstPath: dst.path,
    followLink: Boolean(p.flags['follow-link']),
    copyUIDGID: Boolean(p.flags.archive),
    quiet,
  };
  const client = await ctx.client();
  return src.container ? copyFromContainer(ctx, client, opts) : copyToContainer(ctx, client, opts);
}

async function copyFromContainer(ctx: CliContext, client: EngineClient, o: CpOptions): Promise<number> {
  const dstPath = o.dstPath === '-' ? '-' : absLocal(o.dstPath);
  let srcPath = o.srcPath;
  let rebaseName: string | undefined;
  if (o.followLink) {
    const st = await client.statContainerPath(o.container, srcPath).catch(() => undefined);
    if (st && isSymlinkMode(st.mode)) {
      const target = st.linkTarget.startsWith('/') ? st.linkTarget : `${splitPathDirEntry(srcPath).dir}/${st.linkTarget}`;
      rebaseName = splitPathDirEntry(srcPath).base;
      srcPath = target;
    }
  }
  const { content, stat } = await client.getArchive(o.container, srcPath);
  if (dstPath === '-') {
    await pipeline(content, ctx.stdout, { end: false });
    return 0;
  }
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: isDirMode(stat.mode), rebaseName };
  const dstInfo = await localDestination(dstPath);
  const { dstDir, rebase } = prepareArchiveCopy(srcInfo, dstInfo);
  const counted = counting(content);
  await untarLocal(counted.stream, dstDir, rebase);
  if (!o.quiet) ctx.stderr.write(`Successfully copied ${humanSize(isDirMode(stat.mode) ? counted.bytes() : stat.size, 3)} to ${dstPath}\n`);
  return 0;
}

async function copyToContainer(ctx: CliContext, client: EngineClient, o: CpOptions): Promise<number> {
  const dstInfo: CopyInfo = { path: o.dstPath, exists: false, isDir: false };
  let st = await client.statContainerPath(o.container, o.dstPath).catch(() => undefined);
  if (st && isSymlinkMode(st.mode)) {
    const target = st.linkTarget.startsWith('/') ? st.linkTarget : `${splitPathDirEntry(o.dstPath).dir}/${st.linkTarget}`;
    dstInfo.path = target;
    st = await client.statContainerPath(o.container, target).catch(() => undefined);
  }
  if (st) {
    if (!isDirOrRegular(st.mode)) throw new ExitError(1, `destination "${o.container}:${o.dstPath}" must be a directory or a regular file`);
    dstInfo.exists = true;
    dstInfo.isDir = isDirMode(st.mode);
  }
  if (o.srcPath === '-') {
    if (!dstInfo.isDir) throw new ExitError(1, `destination "${o.container}:${o.dstPath}" must be a directory`);
    await client.putArchive(o.container, dstInfo.path, ctx.stdin, { copyUIDGID: o.copyUIDGID, noOverwriteDirNonDir: true });
    return 0;
  }
  const srcInfo = await localSource(absLocal(o.srcPath), o.followLink);
  const { dstDir, rebase } = prepareArchiveCopy(srcInfo, dstInfo);
  const tar = tarLocal(srcInfo, rebase);
  const counted = counting(tar.stream);
  await Promise.all([client.putArchive(o.container, dstDir, counted.stream, { copyUIDGID: o.copyUIDGID, noOverwriteDirNonDir: true }), tar.done]);
  if (!o.quiet) ctx.stderr.write(`Successfully copied ${humanSize(counted.bytes(), 3)} to ${o.container}:${dstInfo.path}\n`);
  return 0;
}
