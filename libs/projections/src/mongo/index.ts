// The production profile's read side (MongoDB). Its own entry point, so the embedded profile never loads
// the mongodb driver.
export * from './mongo-projection.js';
export * from './mongo-status-updates.js';
export * from './mongo-keys-list.projection.js';
export * from './mongo-activity-feed.projection.js';
export * from './mongo-key-lookup.projection.js';
export * from './mongo-checkpoints.js';
export * from './mongo-projection-runner.js';
export * from './mongo-keys-read-model.js';
export * from './mongo-activity-read-model.js';
export * from './mongo-key-lookup-read-model.js';
export * from './mongo-read-side.js';
export * from './mongo-parked-events.js';
export * from './mongo-store-failure.js';
