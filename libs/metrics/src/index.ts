export * from './keygate-metrics.js';
