import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import type { SqliteProjection } from '../projection.js';
import { prepareStatusUpdates } from '../key-status/key-status.sqlite.js';

export const KEYS_LIST_TABLE = 'keys_list_v1';

/**
 * The settings page's keys list: one row per key. Deleted keys keep a row marked 'deleted' (filtered out
 * by the queries) so that a replayed KeyMinted cannot bring them back.
 * last_position is the version guard: an event at or below it was already applied.
 */
export class KeysListProjection implements SqliteProjection {
  readonly name = KEYS_LIST_TABLE;
  readonly eventTypes = ['KeyMinted', 'KeyRevoked', 'KeyExpired', 'KeyDeleted', 'KeyUsed'] as const;
  private stmts!: ReturnType<KeysListProjection['prepare']>;

  init(db: SqliteDb): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${KEYS_LIST_TABLE} (
        key_id TEXT PRIMARY KEY,
        company_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        label TEXT NOT NULL,
        prefix TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_used_at TEXT,
        status TEXT NOT NULL,
        created_position INTEGER NOT NULL,
        last_position INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${KEYS_LIST_TABLE}_by_company ON ${KEYS_LIST_TABLE} (company_id, created_position DESC);
      CREATE INDEX IF NOT EXISTS ${KEYS_LIST_TABLE}_by_user ON ${KEYS_LIST_TABLE} (company_id, user_id, created_position DESC);
      CREATE INDEX IF NOT EXISTS ${KEYS_LIST_TABLE}_by_expiry ON ${KEYS_LIST_TABLE} (status, expires_at);
    `);
    this.stmts = this.prepare(db);
  }

  private prepare(db: SqliteDb) {
    return {
      insert: db.prepare(
        `INSERT OR IGNORE INTO ${KEYS_LIST_TABLE}
         (key_id, company_id, user_id, user_name, label, prefix, created_at, expires_at, last_used_at, status, created_position, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'active', ?, ?)`,
      ),
      status: prepareStatusUpdates(db, KEYS_LIST_TABLE),
      // MAX() makes a replayed or out-of-order use harmless.
      used: db.prepare(
        `UPDATE ${KEYS_LIST_TABLE} SET last_used_at = MAX(COALESCE(last_used_at, ''), ?) WHERE key_id = ?`,
      ),
    };
  }

  reset(db: SqliteDb): void {
    db.exec(`DELETE FROM ${KEYS_LIST_TABLE}`);
  }

  apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as KeyEvent;
    const p = recorded.globalPosition;
    switch (event.type) {
      case 'KeyMinted': {
        const d = event.data;
        this.stmts.insert.run(d.keyId, d.companyId, d.actorUserId, d.actorName, d.label, d.prefix, d.at, d.expiresAt, p, p);
        return;
      }
      case 'KeyRevoked':
      case 'KeyExpired':
      case 'KeyDeleted':
        this.stmts.status(event, p);
        return;
      case 'KeyUsed':
        this.stmts.used.run(event.data.at, event.data.keyId);
        return;
      case 'KeyAcknowledged':
        return;
    }
  }
}
