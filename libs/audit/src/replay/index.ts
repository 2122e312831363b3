// `npm run audit -- replay`: the read models rebuilt from the log into a scratch store and compared with the live ones.
// The production profile's replay (MongoDB) is NOT exported here: mongo-replay.ts is its own entry point (see there).
export * from './replay-report.js';
export { replayEmbedded, type EmbeddedReplayOptions } from './sqlite-replay.js';
export { formatReplayReport, showReplayDifference, showReplayValue } from './format-replay.js';
