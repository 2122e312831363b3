export { KeygateKey, KeygateKeyGuard, KeygateModule, KeygateRefusal, KeygateRefusalFilter, RequireKeygateKey } from './keygate-key.guard.js';
