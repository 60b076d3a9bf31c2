// docker version: client section, then the daemon's (kept when the daemon is unreachable).
import { CLIENT_API_VERSION, compareVersions } from '../../client/api-version.js';
import type { VersionInfo } from '../../client/types.js';
import { describeError, err, out, type CliContext } from '../context.js';
import { WHARF_VERSION } from '../wharf-version.js';
import type { CommandSpec, Parsed } from '../flags.js';

export const spec: CommandSpec = {
  name: 'version', usage: 'version [OPTIONS]', description: 'Show the Docker version information', maxArgs: 0,
  flags: [{ long: 'format', short: 'f', type: 'string', help: 'Format output using a custom template' }],
};

const kv = (indent: string, k: string, v: string | undefined): string => `${`${indent}${k}:`.padEnd(20)}${v ?? ''}\n`;

/** Go's time.ANSIC ("Thu May  7 21:09:36 2026"), which docker version prints for Built. */
function ansic(iso: string | undefined): string {
  const d = iso ? new Date(iso) : undefined;
  if (!d || Number.isNaN(d.getTime())) return iso ?? '';
  const [dow, mon] = [d.toUTCString().slice(0, 3), d.toUTCString().slice(8, 11)];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${dow} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/**
 * Docker's Go structs name the field APIVersion (JSON "ApiVersion"), so templates say
 * {{.Server.APIVersion}}; a non-enumerable alias keeps {{json .}} in the JSON spelling.
 */
function goFieldNames<T extends { ApiVersion?: string }>(o: T): T {
  return Object.defineProperty({ ...o }, 'APIVersion', { get: () => o.ApiVersion, enumerable: false });
}

export async function main(ctx: CliContext, p: Parsed): Promise<number> {
  let server: VersionInfo | undefined; let failure: unknown; let apiVersion = CLIENT_API_VERSION;
  try {
    const client = await ctx.client();
    apiVersion = client.apiVersion;
    server = await client.version();
  } catch (e) { failure = e; }
  const clientInfo = {
    Platform: { Name: '' }, Version: WHARF_VERSION, ApiVersion: apiVersion, DefaultAPIVersion: CLIENT_API_VERSION,
    GitCommit: '', GoVersion: process.version, Os: process.platform, Arch: process.arch === 'x64' ? 'amd64' : process.arch, BuildTime: '', Context: 'default',
  };
  const format = p.flags.format as string | undefined;
  if (format) {
    const { Template } = await import('../template.js'); // only --format needs the engine
    out(ctx, `${new Template(format === 'json' ? '{{json .}}' : format).execute({ Client: goFieldNames(clientInfo), Server: server ? goFieldNames(server) : null })}\n`);
  } else {
    let s = 'Client:\n';
    s += kv(' ', 'Version', WHARF_VERSION);
    s += kv(' ', 'API version', apiVersion + (compareVersions(apiVersion, CLIENT_API_VERSION) < 0 ? ` (downgraded from ${CLIENT_API_VERSION})` : ''));
    s += kv(' ', 'Node.js version', process.version);
    s += kv(' ', 'OS/Arch', `${clientInfo.Os}/${clientInfo.Arch}`);
    s += kv(' ', 'Context', 'default');
    if (server) {
      s += '\nServer:\n';
      const engine = server.Components?.find((c) => c.Name === 'Engine');
      s += ' Engine:\n';
      s += kv('  ', 'Version', server.Version);
      s += kv('  ', 'API version', `${server.ApiVersion} (minimum version ${server.MinAPIVersion ?? server.ApiVersion})`);
      s += kv('  ', 'Go version', server.GoVersion);
      s += kv('  ', 'Git commit', server.GitCommit);
      s += kv('  ', 'Built', ansic(server.BuildTime));
      s += kv('  ', 'OS/Arch', `${server.Os}/${server.Arch}`);
      s += kv('  ', 'Experimental', String(engine?.Details?.Experimental ?? server.Experimental ?? false));
      for (const c of server.Components ?? []) {
        if (c.Name === 'Engine') continue;
        s += ` ${c.Name}:\n`;
        s += kv('  ', 'Version', c.Version);
        for (const [k, v] of Object.entries(c.Details ?? {})) s += `${`  ${k}:`.padEnd(20)}${v}\n`;
      }
    }
    out(ctx, s);
  }
  if (failure) { err(ctx, `${describeError(failure)}\n`); return 1; }
  return 0;
}
