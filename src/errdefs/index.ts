export * from './errors.js';
export { msg } from './messages.js';
