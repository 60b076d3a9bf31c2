export * from './types.js';
export { LocalVolumes } from './local.js';
export { validateVolumeName, anonymousVolumeName } from './names.js';
export { validateLocalOptions, needsMount, mountArgs } from './local-options.js';
