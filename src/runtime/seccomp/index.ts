// Seccomp: Docker's default profile as data and the resolver that turns a profile into
// one container's OCI section.
export type { OciSeccomp, SeccompProfile, ProfileRule } from './types.js';
export { DEFAULT_SECCOMP_PROFILE, CLONE_NAMESPACE_FLAGS } from './default-profile.js';
export { resolveSeccomp, parseSeccompProfile, nativeArch, kernelAtLeast, type SeccompContext } from './generate.js';
