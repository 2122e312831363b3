import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { PER_KEY_COLUMNS, preparePerKeyUpdates } from '../key-status/key-status.sqlite.js';
import { keyEventOf, sqliteIndex, type SqliteBulkLoad, type SqliteIndex } from '../projection.js';
import { SqliteTablesProjection } from '../runner/sqlite-projection.js';
import { KeysListBulkLoad } from './keys-list.bulk-load.sqlite.js';
import { KEYS_LIST_EVENT_TYPES, keyListRowOf } from './keys-list.rules.js';
import { KEYS_LIST_INSERT_COLUMNS, KEYS_LIST_INSERT_VALUES, KEYS_LIST_TABLE, keysListInsertValues } from './keys-list.table.sqlite.js';

// Its name and insert live in keys-list.table.sqlite.ts, shared with the rebuild's fold.
export { KEYS_LIST_TABLE };

const DDL = `
  CREATE TABLE IF NOT EXISTS ${KEYS_LIST_TABLE} (
    ${PER_KEY_COLUMNS},
    label TEXT NOT NULL, prefix TEXT NOT NULL,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL, last_used_at TEXT,
    status TEXT NOT NULL, permissions TEXT NOT NULL,
    rotated_from TEXT, rotated_to TEXT, overlap_ends_at TEXT, revocation_reason TEXT, expiry_warned_days_before INTEGER,
    created_position INTEGER NOT NULL, last_position INTEGER NOT NULL
  );
`;

const INDEXES: SqliteIndex[] = [
  sqliteIndex(`${KEYS_LIST_TABLE}_by_company`, KEYS_LIST_TABLE, 'company_id, created_position DESC'),
  sqliteIndex(`${KEYS_LIST_TABLE}_by_user`, KEYS_LIST_TABLE, 'company_id, user_id, created_position DESC'),
  // lapsed(now) and expiryWarningsDue(now, days): live keys by expiry.
  sqliteIndex(`${KEYS_LIST_TABLE}_by_expiry`, KEYS_LIST_TABLE, 'status, expires_at'),
  // overlapsEnded(now): live keys by the end of their overlap; only rotated keys have one.
  {
    name: `${KEYS_LIST_TABLE}_by_overlap_end`,
    sql: `CREATE INDEX IF NOT EXISTS ${KEYS_LIST_TABLE}_by_overlap_end ON ${KEYS_LIST_TABLE} (status, overlap_ends_at) WHERE overlap_ends_at IS NOT NULL`,
  },
  // A key dying: the keys naming it as their replacement (key-status.sqlite.ts's replacementDied); only rotated keys.
  {
    name: `${KEYS_LIST_TABLE}_by_replacement`,
    sql: `CREATE INDEX IF NOT EXISTS ${KEYS_LIST_TABLE}_by_replacement ON ${KEYS_LIST_TABLE} (rotated_to) WHERE rotated_to IS NOT NULL`,
  },
];

const prepare = (db: SqliteDb) => ({
  insert: db.prepare(`INSERT OR IGNORE INTO ${KEYS_LIST_TABLE} (${KEYS_LIST_INSERT_COLUMNS}) VALUES (${KEYS_LIST_INSERT_VALUES})`),
  change: preparePerKeyUpdates(db, KEYS_LIST_TABLE, { revocationReason: true, expiryWarnings: true, replacementDeaths: true }),
  used: db.prepare(`UPDATE ${KEYS_LIST_TABLE} SET last_used_at = MAX(COALESCE(last_used_at, ''), ?) WHERE key_id = ?`),
});

/** The keys list (keys-list.rules.ts) in keys_list_v2; last_position is the version guard. */
export class KeysListProjection extends SqliteTablesProjection<ReturnType<typeof prepare>> {
  constructor() {
    super(KEYS_LIST_TABLE, KEYS_LIST_EVENT_TYPES, [KEYS_LIST_TABLE], DDL, INDEXES, prepare);
  }

  /**
   * Uses are most of the log: one UPDATE per key and batch with the newest `at` of its uses, after the batch's
   * other events (so a key minted and used in the same batch gets its use). Exact: lastUsedAt is a maximum.
   */
  override apply(events: readonly RecordedEvent[]): void {
    const lastUse = new Map<string, string>();
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      if (event.type === 'KeyUsed') {
        const { keyId, at } = event.data;
        const seen = lastUse.get(keyId);
        if (seen === undefined || at > seen) lastUse.set(keyId, at);
      } else this.applyEvent(event, recorded);
    }
    for (const [keyId, at] of lastUse) this.stmts.used.run(at, keyId);
  }

  /** A rebuild's fold: one row per key, written once (KeysListBulkLoad). */
  bulkLoad(db: SqliteDb): SqliteBulkLoad {
    return new KeysListBulkLoad(db, KEYS_LIST_TABLE);
  }

  protected applyEvent(event: KeyEvent, { globalPosition: p }: RecordedEvent): void {
    if (event.type === 'KeyMinted') this.stmts.insert.run(...keysListInsertValues(keyListRowOf(event), p));
    else if (event.type === 'KeyUsed') this.stmts.used.run(event.data.at, event.data.keyId);
    else this.stmts.change(event, p);
  }
}
