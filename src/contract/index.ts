export * from './version.js';
export * from './container.js';
