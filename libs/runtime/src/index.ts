// The wiring both apps share: a profile's stores, read side and hot key table behind narrow parts, the clock,
// the expiry sweeper. The production profile's module is loaded only when chosen (create-runtime.ts).
export * from './clock.js';
export * from './keygate-runtime.js';
export * from './create-runtime.js';
export * from './expiry-sweeper.js';
export * from './follower-failures.js';
export * from './hot-key-follower.js';
export * from './audit-digests.js';
