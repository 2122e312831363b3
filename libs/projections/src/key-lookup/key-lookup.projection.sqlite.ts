import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import type { SqliteProjection } from '../projection.js';
import { prepareStatusUpdates } from '../key-status/key-status.sqlite.js';

export const KEY_LOOKUP_TABLE = 'key_lookup_v1';

/**
 * What the MCP guard needs for one key id: owner, status, expiry, verifier and the permission snapshot.
 * The guard keeps it in memory; this table is where a process loads it from at start.
 */
export class KeyLookupProjection implements SqliteProjection {
  readonly name = KEY_LOOKUP_TABLE;
  readonly eventTypes = ['KeyMinted', 'KeyRevoked', 'KeyExpired', 'KeyDeleted'] as const;
  private stmts!: ReturnType<KeyLookupProjection['prepare']>;

  init(db: SqliteDb): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${KEY_LOOKUP_TABLE} (
        key_id TEXT PRIMARY KEY,
        company_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL,
        creator_role TEXT NOT NULL,
        permissions TEXT NOT NULL,
        verifier TEXT NOT NULL,
        status TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_position INTEGER NOT NULL
      );
    `);
    this.stmts = this.prepare(db);
  }

  private prepare(db: SqliteDb) {
    return {
      insert: db.prepare(
        `INSERT OR IGNORE INTO ${KEY_LOOKUP_TABLE}
         (key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, last_position)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
      ),
      status: prepareStatusUpdates(db, KEY_LOOKUP_TABLE),
    };
  }

  reset(db: SqliteDb): void {
    db.exec(`DELETE FROM ${KEY_LOOKUP_TABLE}`);
  }

  apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as KeyEvent;
    const p = recorded.globalPosition;
    switch (event.type) {
      case 'KeyMinted': {
        const d = event.data;
        this.stmts.insert.run(
          d.keyId, d.companyId, d.actorUserId, d.actorName, d.creatorRole,
          JSON.stringify(d.permissions), d.verifier, d.expiresAt, p,
        );
        return;
      }
      case 'KeyRevoked':
      case 'KeyExpired':
      case 'KeyDeleted':
        this.stmts.status(event, p);
        return;
      default:
        return;
    }
  }
}
