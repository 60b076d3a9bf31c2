// wharf compose: the compose-spec loader and the project reconciler, client side.
export { loadProject, findDefaultFiles, normalizeProjectName, DEFAULT_FILES } from './loader.js';
export type { LoadOptions } from './loader.js';
export type * from './model.js';
export { up, selectedServices, scaleOf, ensureImages, ensureNetworks, ensureVolumes, removeOne } from './up.js';
export type { UpOptions } from './up.js';
export { down } from './down.js';
export type { DownOptions } from './down.js';
export { buildService } from './build.js';
export { projectContainers, serviceOf, number as containerNumber, name as containerName } from './containers.js';
export { serviceHash, serviceJson } from './hash.js';
export { createRequest, containerName as composeContainerName, imageName } from './convert.js';
export { startLayers, withDependencies, checkGraph } from './graph.js';
export { renderConfig } from './render.js';
export type { Progress, ResourceKind } from './progress.js';
export { silent } from './progress.js';
export * as labels from './labels.js';
