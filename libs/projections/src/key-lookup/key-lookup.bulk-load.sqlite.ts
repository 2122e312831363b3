import type { RecordedEvent, SqliteDb } from '#event-store';
import { PerKeyRows, type PerKeyState } from '../key-status/per-key-rows.js';
import { keyEventOf, type SqliteBulkLoad } from '../projection.js';
import { keyLookupEntryOf } from './key-lookup.rules.js';

/**
 * A rebuild of key_lookup_v1 (KeyLookupProjection): each row inserted at its mint, its status folded in memory
 * (PerKeyRows) and written once by finish(), instead of an UPDATE by key_id for every status change.
 */
export class KeyLookupBulkLoad implements SqliteBulkLoad {
  private readonly rows = new PerKeyRows<PerKeyState>();
  private readonly insert;
  private readonly update;

  constructor(db: SqliteDb, table: string) {
    this.insert = db.prepare(
      `INSERT INTO ${table}
       (key_id, company_id, user_id, user_name, creator_role, permissions, verifier, status, expires_at, last_position)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)`,
    );
    this.update = db.prepare(`UPDATE ${table} SET status = ?, last_position = ? WHERE rowid = ?`);
  }

  apply(events: readonly RecordedEvent[]): void {
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const p = recorded.globalPosition;
      if (event.type !== 'KeyMinted') {
        this.rows.status(event, p);
        continue;
      }
      const e = keyLookupEntryOf(event);
      const insert = () =>
        Number(this.insert.run(e.keyId, e.companyId, e.userId, e.userName, e.creatorRole, JSON.stringify(e.permissions), e.verifier, e.expiresAt, p).lastInsertRowid);
      this.rows.insert(e.keyId, insert, { status: 'active', lastPosition: p });
    }
  }

  finish(): void {
    this.rows.finish((s) => this.update.run(s.status, s.lastPosition, s.rowid));
  }
}
