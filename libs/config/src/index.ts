export * from './keygate-config.js';
export * from './dev-jwt-secret.js';
