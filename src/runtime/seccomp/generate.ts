// Turns a seccomp profile in Docker's format into the OCI `linux.seccomp` section for one
// container: picks the architectures of this machine from `archMap`, and keeps only the
// rules whose conditions hold for the container's capabilities, this arch and this
// kernel (moby `profiles/seccomp/seccomp_linux.go` semantics, so a user's profile file
// means here what it means under Docker). Pure apart from the defaults of `SeccompContext`.
import os from 'node:os';
import { InvalidArgument } from '../../errdefs/index.js';
import type { OciSeccomp, ProfileFilter, SeccompProfile } from './types.js';

export interface SeccompContext {
  /** The container's final bounding set (after --cap-add/--cap-drop). */
  capabilities: readonly string[];
  /** moby's native arch name; default: this machine's. */
  arch?: string;
  /** Kernel release, e.g. "6.1.0-18-amd64"; default: this machine's. */
  kernel?: string;
}

/** Node's `process.arch` → the arch names profiles use (libseccomp's). */
const NODE_TO_NATIVE: Record<string, string> = {
  x64: 'amd64', ia32: 'x86', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390: 's390', s390x: 's390x',
  mips: 'mips', mipsel: 'mipsel', riscv64: 'riscv64',
};
const NATIVE_TO_SCMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', x86: 'SCMP_ARCH_X86', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64',
  ppc64le: 'SCMP_ARCH_PPC64LE', s390: 'SCMP_ARCH_S390', s390x: 'SCMP_ARCH_S390X', riscv64: 'SCMP_ARCH_RISCV64',
  mips: 'SCMP_ARCH_MIPS', mipsel: 'SCMP_ARCH_MIPSEL',
};

export function nativeArch(nodeArch: string = process.arch): string {
  return NODE_TO_NATIVE[nodeArch] ?? nodeArch;
}

/** Parses a user's profile (the JSON `--security-opt seccomp=<file>` sends); Docker's wording on failure. */
export function parseSeccompProfile(body: string): SeccompProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new InvalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgument('Decoding seccomp profile failed: profile must be a JSON object');
  }
  const p = parsed as SeccompProfile;
  if (p.syscalls != null && !Array.isArray(p.syscalls)) throw new InvalidArgument('Decoding seccomp profile failed: "syscalls" must be an array');
  return p;
}

/**
 * The OCI section for `profile`, or undefined when the profile disables seccomp (no default
 * action and no rules, as moby reads an empty profile). Throws InvalidArgument for the
 * contradictions moby refuses.
 */
export function resolveSeccomp(profile: SeccompProfile, ctx: SeccompContext): OciSeccomp | undefined {
  const rules = profile.syscalls ?? [];
  if (!profile.defaultAction && rules.length === 0) return undefined;
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new InvalidArgument("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  }
  const arch = ctx.arch ?? nativeArch();
  const kernel = ctx.kernel ?? os.release();
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = [...(profile.architectures ?? [])];
  const mapped = profile.archMap?.find((a) => a.architecture === NATIVE_TO_SCMP[arch]);
  if (mapped) architectures.push(mapped.architecture, ...(mapped.subArchitectures ?? []));
  if (architectures.length) out.architectures = architectures;
  for (const key of ['flags', 'listenerPath', 'listenerMetadata'] as const) {
    if (profile[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = profile[key];
  }

  const syscalls: NonNullable<OciSeccomp['syscalls']> = [];
  for (const rule of rules) {
    if (rule.excludes && excluded(rule.excludes, { arch, kernel, caps: ctx.capabilities })) continue;
    if (rule.includes && !included(rule.includes, { arch, kernel, caps: ctx.capabilities })) continue;
    if (rule.name && rule.names?.length) {
      throw new InvalidArgument("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    }
    const names = rule.name ? [rule.name] : [...(rule.names ?? [])];
    const entry: NonNullable<OciSeccomp['syscalls']>[number] = { names, action: rule.action };
    if (rule.errnoRet !== undefined) entry.errnoRet = rule.errnoRet;
    if (rule.args?.length) entry.args = rule.args.map((a) => ({ ...a }));
    syscalls.push(entry);
  }
  if (syscalls.length) out.syscalls = syscalls;
  return out;
}

interface Facts {
  arch: string;
  kernel: string;
  caps: readonly string[];
}

/** An `excludes` drops the rule when any listed arch or cap is present, or the kernel is new enough. */
function excluded(f: ProfileFilter, facts: Facts): boolean {
  if (f.arches?.includes(facts.arch)) return true;
  if (f.caps?.some((c) => facts.caps.includes(c))) return true;
  if (f.minKernel && kernelAtLeast(facts.kernel, f.minKernel)) return true;
  return false;
}

/** An `includes` keeps the rule only when the arch is listed, every cap is held, and the kernel is new enough. */
function included(f: ProfileFilter, facts: Facts): boolean {
  if (f.arches?.length && !f.arches.includes(facts.arch)) return false;
  if (f.caps?.length && !f.caps.every((c) => facts.caps.includes(c))) return false;
  if (f.minKernel && !kernelAtLeast(facts.kernel, f.minKernel)) return false;
  return true;
}

/** Compares "major.minor" of a kernel release with a "major.minor" minimum. */
export function kernelAtLeast(release: string, min: string): boolean {
  const parse = (s: string, what: string) => {
    const m = /^(\d+)\.(\d+)/.exec(s);
    if (!m) throw new InvalidArgument(`invalid kernel version: ${what} ${JSON.stringify(s)}`);
    return [Number(m[1]), Number(m[2])] as const;
  };
  const [a, b] = parse(release, 'release');
  const [x, y] = parse(min, 'minKernel');
  return a > x || (a === x && b >= y);
}
