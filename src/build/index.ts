// The builder's public face: what the API route and the composition root use.
export { Builder, type BuildOptions, type BuildOutput } from './builder.js';
export { StepFailed } from './dispatch.js';
export { IgnoreMatcher } from './dockerignore.js';
export { humanSize } from './remote.js';
