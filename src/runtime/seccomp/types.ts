// Seccomp profiles in two shapes: the profile format Docker users write (moby's
// `profiles/seccomp` JSON: rules with `includes`/`excludes` conditions and an `archMap`),
// and the OCI `linux.seccomp` section runc reads, where every condition is resolved.

/** Conditions on a rule: every listed cap / arch must hold (includes) or none (excludes). */
export interface ProfileFilter {
  /** Capability names (`CAP_SYS_ADMIN`), checked against the container's bounding set. */
  caps?: string[];
  /** Native arch names as moby spells them (`amd64`, `x86`, `x32`, `arm64`, …). */
  arches?: string[];
  /** "major.minor": the rule needs (includes) or must not see (excludes) a kernel this new. */
  minKernel?: string;
}

export interface SyscallArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}

export interface ProfileRule {
  names?: string[];
  /** Old single-name form; refused together with `names`, as moby does. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SyscallArg[] | null;
  comment?: string;
  includes?: ProfileFilter;
  excludes?: ProfileFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures: string[] | null }[];
  syscalls?: ProfileRule[];
  listenerPath?: string;
  listenerMetadata?: string;
  flags?: string[];
}

/** runtime-spec `LinuxSeccomp`. */
export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: { names: string[]; action: string; errnoRet?: number; args?: SyscallArg[] }[];
}
