export * from './keygate-client.js';
export * from './key-check.js';
export * from './keygate-middleware.js';
export type { components, operations, paths } from './keygate-api.js';
