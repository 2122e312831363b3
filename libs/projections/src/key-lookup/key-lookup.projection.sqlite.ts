import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { PER_KEY_COLUMNS, preparePerKeyUpdates } from '../key-status/key-status.sqlite.js';
import type { SqliteBulkLoad } from '../projection.js';
import { SqliteTablesProjection } from '../runner/sqlite-projection.js';
import { KeyLookupBulkLoad } from './key-lookup.bulk-load.sqlite.js';
import { KEY_LOOKUP_EVENT_TYPES, keyLookupEntryOf } from './key-lookup.rules.js';
import { KEY_LOOKUP_INSERT, KEY_LOOKUP_TABLE, keyLookupInsertValues } from './key-lookup.table.sqlite.js';

// Its name and insert live in key-lookup.table.sqlite.ts, shared with the rebuild's fold.
export { KEY_LOOKUP_TABLE };

const DDL = `
  CREATE TABLE IF NOT EXISTS ${KEY_LOOKUP_TABLE} (
    ${PER_KEY_COLUMNS},
    creator_role TEXT NOT NULL, permissions TEXT NOT NULL, verifier TEXT NOT NULL,
    status TEXT NOT NULL, expires_at TEXT NOT NULL, rotated_to TEXT, overlap_ends_at TEXT, last_position INTEGER NOT NULL
  );
`;

const prepare = (db: SqliteDb) => ({
  insert: db.prepare(`INSERT OR IGNORE INTO ${KEY_LOOKUP_TABLE} ${KEY_LOOKUP_INSERT}`),
  change: preparePerKeyUpdates(db, KEY_LOOKUP_TABLE, { revocationReason: false, expiryWarnings: false, replacementDeaths: false }),
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
