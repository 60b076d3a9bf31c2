// docker info: the common part of docker's layout, or --format over the daemon's JSON.
import { describeError, err, out, type CliContext } from '../context.js';
import { WHARF_VERSION } from '../wharf-version.js';
import type { CommandSpec, Parsed } from '../flags.js';
import { Template } from '../template.js';
import { humanSize } from '../units.js';

export const spec: CommandSpec = {
  name: 'info', usage: 'info [OPTIONS]', description: 'Display system-wide information', maxArgs: 0,
  flags: [{ long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' }],
};

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  const format = p.flags.format as string | undefined;
  let info: Record<string, unknown> | undefined; let failure: unknown;
  try { info = await (await ctx.client()).info(); } catch (e) { failure = e; }
  if (format) {
    if (failure) throw failure;
    out(ctx, `${new Template(format === 'json' ? '{{json .}}' : format).execute(info)}\n`);
    return 0;
  }
  let s = `Client:\n Version:    ${WHARF_VERSION}\n Context:    default\n Debug Mode: false\n\nServer:\n`;
  if (info) {
    const i = info as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    s += ` Containers: ${i.Containers}\n  Running: ${i.ContainersRunning}\n  Paused: ${i.ContainersPaused}\n  Stopped: ${i.ContainersStopped}\n`;
    s += ` Images: ${i.Images}\n Server Version: ${i.ServerVersion}\n Storage Driver: ${i.Driver}\n`;
    for (const [k, v] of (i.DriverStatus ?? []) as [string, string][]) s += `  ${k}: ${v}\n`;
    s += ` Logging Driver: ${i.LoggingDriver}\n Cgroup Driver: ${i.CgroupDriver}\n Cgroup Version: ${i.CgroupVersion}\n`;
    s += ` Default Runtime: ${i.DefaultRuntime}\n Kernel Version: ${i.KernelVersion}\n Operating System: ${i.OperatingSystem}\n`;
    s += ` OSType: ${i.OSType}\n Architecture: ${i.Architecture}\n CPUs: ${i.NCPU}\n Total Memory: ${humanSize(Number(i.MemTotal ?? 0), 4).replace(/B$/, 'iB')}\n`;
    s += ` Name: ${i.Name}\n ID: ${i.ID}\n Docker Root Dir: ${i.DockerRootDir}\n Debug Mode: ${i.Debug}\n`;
  }
  out(ctx, s);
  if (failure) { err(ctx, `${describeError(failure)}\n`); return 1; }
  return 0;
}
