import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { PER_KEY_COLUMNS, preparePerKeyUpdates } from '../key-status/key-status.sqlite.js';
import type { SqliteBulkLoad } from '../projection.js';
import { SqliteTablesProjection } from '../runner/sqlite-projection.js';
import { KeyLookupBulkLoad } from './key-lookup.bulk-load.sqlite.js';
import type { KeyLookupEntry } from './key-lookup-read-model.js';
import { KEY_LOOKUP_EVENT_TYPES, keyLookupEntryOf } from './key-lookup.rules.js';

/**
 * v2 (issue 15): suspended status, rotated_to and overlap_ends_at; user_id/user_name are the key's owner
 * (keyOwner). Built beside key_lookup_v1 from the log; v1 is no longer written.
 */
export const KEY_LOOKUP_TABLE = 'key_lookup_v2';

const DDL = `
  CREATE TABLE IF NOT EXISTS ${KEY_LOOKUP_TABLE} (
    ${PER_KEY_COLUMNS},
    creator_role TEXT NOT NULL, permissions TEXT NOT NULL, verifier TEXT NOT NULL,
    status TEXT NOT NULL, expires_at TEXT NOT NULL, rotated_to TEXT, overlap_ends_at TEXT, last_position INTEGER NOT NULL
  );
`;

/** The columns a mint inserts, in order (status 'active', no rotation yet: see keyLookupInsertValues). */
export const KEY_LOOKUP_INSERT = `(key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, rotated_to, overlap_ends_at, last_position)
  VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, NULL, NULL, ?)`;

export const keyLookupInsertValues = (e: KeyLookupEntry, p: number) =>
  [e.keyId, e.companyId, e.userId, e.userName, e.creatorRole, JSON.stringify(e.permissions), e.verifier, e.expiresAt, p] as const;

const prepare = (db: SqliteDb) => ({
  insert: db.prepare(`INSERT OR IGNORE INTO ${KEY_LOOKUP_TABLE} ${KEY_LOOKUP_INSERT}`),
  change: preparePerKeyUpdates(db, KEY_LOOKUP_TABLE, { revocationReason: false, expiryWarnings: false }),
});

/**
 * The guard's lookup (key-lookup.rules.ts) in key_lookup_v2. The guard keeps it in memory; this table is
 * where a process loads it from at start.
 */
export class KeyLookupProjection extends SqliteTablesProjection<ReturnType<typeof prepare>> {
  constructor() {
    super(KEY_LOOKUP_TABLE, KEY_LOOKUP_EVENT_TYPES, [KEY_LOOKUP_TABLE], DDL, [], prepare);
  }

  /** A rebuild's fold: one row per key, written once (KeyLookupBulkLoad). */
  bulkLoad(db: SqliteDb): SqliteBulkLoad {
    return new KeyLookupBulkLoad(db, KEY_LOOKUP_TABLE);
  }

  protected applyEvent(event: KeyEvent, { globalPosition: p }: RecordedEvent): void {
    if (event.type !== 'KeyMinted') return this.stmts.change(event, p);
    this.stmts.insert.run(...keyLookupInsertValues(keyLookupEntryOf(event), p));
  }
}
