// The production profile's read side (MongoDB). Its own entry point, so the embedded profile never loads
// the mongodb driver.
export * from '../runner/mongo-projection.js';
export * from '../runner/mongo-read-model-version.js';
export * from '../key-status/key-status.mongo.js';
export * from '../keys-list/keys-list.projection.mongo.js';
export * from '../activity-feed/activity-feed.projection.mongo.js';
export * from '../key-lookup/key-lookup.projection.mongo.js';
export * from '../runner/mongo-checkpoints.js';
export * from '../runner/mongo-projection-runner.js';
export * from '../keys-list/mongo-keys-read-model.js';
export * from '../activity-feed/mongo-activity-read-model.js';
export * from '../key-lookup/mongo-key-lookup-read-model.js';
export * from '../mongo-read-side.js';
export * from '../parking/mongo-parked-events.js';
export * from '../parking/mongo-store-failure.js';
