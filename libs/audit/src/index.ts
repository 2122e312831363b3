// The auditors' library: what `npm run audit` and /api/audit are built on (README "For auditors").
export * from './audit-record.js';
export * from './digest/audit-digest.js';
export * from './digest/audit-key.js';
export * from './digest/digest-writer.js';
export * from './digest/read-digests.js';
export * from './export/export-records.js';
export * from './verify/audit-finding.js';
export * from './verify/verify-log.js';
export * from './verify/verify-export.js';
export * from './replay/index.js';
export * from './history/index.js';
export * from './export/ndjson-chunks.js';
export * from './log-cursor.js';
