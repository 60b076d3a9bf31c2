// Generates the OCI runtime spec (config.json) for one container from `SpecInput`, by
// applying the spec options in a fixed order. Pure: it reads and writes no files.

import type { SpecInput } from './types.js';
import type { OciSpec } from './spec_types.js';
import {
  type SpecOpt,
  withCapabilities,
  withCgroupsPath,
  withDefaultDevices,
  withDefaultMounts,
  withEnv,
  withEtcFiles,
  withHostname,
  withIpcMounts,
  withMaskedPaths,
  withMounts,
  withNamespaces,
  withProcessArgs,
  withProcessCwd,
  withReadonlyPaths,
  withRootfs,
  withTTY,
  withUser,
} from './spec_opts.js';
import { securityOpts } from './spec_security.js';

/** runtime-spec version runc 1.1 implements. */
export const OCI_VERSION = '1.0.2';

/** A spec with every required field present and nothing granted. */
export function emptySpec(): OciSpec {
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: { bounding: [], effective: [], permitted: [] },
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: false },
    mounts: [],
    linux: { namespaces: [], devices: [], resources: { devices: [] }, maskedPaths: [], readonlyPaths: [] },
  };
}

/** The options for `input`, in the order they apply; exposed so callers can append their own. */
export function specOptsFor(input: SpecInput): SpecOpt[] {
  return [
    withRootfs(input.rootfs, { readonly: input.readonlyRootfs }),
    withProcessArgs(input.args),
    withProcessCwd(input.cwd),
    withTTY(input.tty),
    withUser(input.user),
    withEnv(input.env, { hostname: input.hostname, tty: input.tty, home: input.user.home }),
    withNamespaces({ network: input.network, pid: input.pid, ipc: input.ipc, uts: input.uts }),
    withHostname(input.hostname),
    withDefaultMounts(),
    withIpcMounts(input.ipc),
    withEtcFiles(input.etcFiles, { readonly: input.readonlyRootfs }),
    withMounts(input.mounts ?? []),
    withCapabilities(),
    withMaskedPaths(),
    withReadonlyPaths(),
    withDefaultDevices(),
    ...(input.security ? securityOpts(input.security) : []),
    withCgroupsPath(input.cgroupsPath),
  ];
}

/** Builds the spec for `input`; `extra` options apply last (seccomp, resources, … later). */
export function generateSpec(input: SpecInput, extra: SpecOpt[] = []): OciSpec {
  const spec = emptySpec();
  for (const opt of [...specOptsFor(input), ...extra]) opt(spec);
  return spec;
}
