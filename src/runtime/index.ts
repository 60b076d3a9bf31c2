// The runtime layer's public surface. Only src/daemon names `createRuntime`; the engine
// takes the `Runtime` interface and uses the helpers below.

export type * from './types.js';
export type { OciSpec } from './spec_types.js';
export { generateSpec, generateSpec as buildSpec, specOptsFor, emptySpec } from './spec.js';
export type { SpecOpt } from './spec_opts.js';
export { resolveUser } from './user.js';
export { parseSignal } from './signals.js';
export { createRuntime, type RuntimeOptions } from './runtime.js';
export { watchExits, type ExitWatcher } from './exits.js';
export { readLogs, type LogRecord, type ReadLogsOptions } from './logs.js';
export { removeCgroupLeftovers } from './cgroups.js';
export { withResources, withRlimits, withShmSize, updateFlags, type LinuxResources, type Rlimit } from './spec_resources.js';
export { hostResources, type HostResources } from './host-resources.js';
export { readCgroupStats, readHostCpu, readOomKills, type CgroupStats, type HostCpu } from './cgroup-stats.js';
export { DEFAULT_SECCOMP_PROFILE, resolveSeccomp, parseSeccompProfile, type OciSeccomp, type SeccompProfile } from './seccomp/index.js';
export { capabilitiesFromMask, effectiveCapabilities, normalizeCapabilities, CAPABILITY_NAMES } from './capabilities.js';
