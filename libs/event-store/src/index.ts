export * from './event-store.port.js';
export * from './deterministic-event-id.js';
export * from './sqlite/open-sqlite.js';
export * from './sqlite/sqlite-event-store.js';
export * from './follow-log.js';
export * from './schema-checked-event-store.js';
