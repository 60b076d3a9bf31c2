export * from './version.js';
export * from './container.js';
export * from './network.js';
export * from './registry.js';
