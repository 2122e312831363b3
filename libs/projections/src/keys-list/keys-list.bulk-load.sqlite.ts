import type { RecordedEvent, SqliteDb } from '#event-store';
import { PerKeyRows, type PerKeyState } from '../key-status/per-key-rows.js';
import { sqliteTextAfter } from '../key-status/sqlite-text-order.js';
import { keyEventOf, type SqliteBulkLoad } from '../projection.js';
import { keyListRowOf } from './keys-list.rules.js';

interface State extends PerKeyState {
  lastUsedAt: string | null;
}

/**
 * A rebuild of keys_list_v1 (KeysListProjection): each row inserted at its mint, its status and last use folded
 * in memory (PerKeyRows) and written once by finish(), instead of an UPDATE by key_id for every batch's uses and
 * every status change. Per batch it keeps apply()'s rule that uses count after the batch's other events (a key
 * minted and used in one batch gets its use).
 */
export class KeysListBulkLoad implements SqliteBulkLoad {
  private readonly rows = new PerKeyRows<State>();
  private readonly insert;
  private readonly update;

  constructor(db: SqliteDb, table: string) {
    this.insert = db.prepare(
      `INSERT INTO ${table}
       (key_id, company_id, user_id, user_name, label, prefix, created_at, expires_at, last_used_at, status, created_position, last_position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 'active', ?, ?)`,
    );
    this.update = db.prepare(`UPDATE ${table} SET status = ?, last_position = ?, last_used_at = ? WHERE rowid = ?`);
  }

  apply(events: readonly RecordedEvent[]): void {
    const lastUse = new Map<string, string>();
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const p = recorded.globalPosition;
      if (event.type === 'KeyUsed') {
        const { keyId, at } = event.data;
        const seen = lastUse.get(keyId);
        if (seen === undefined || at > seen) lastUse.set(keyId, at);
      } else if (event.type === 'KeyMinted') {
        const r = keyListRowOf(event);
        const insert = () => Number(this.insert.run(r.keyId, r.companyId, r.userId, r.userName, r.label, r.prefix, r.createdAt, r.expiresAt, p, p).lastInsertRowid);
        this.rows.insert(r.keyId, insert, { status: 'active', lastPosition: p, lastUsedAt: null });
      } else this.rows.status(event, p);
    }
    // The UPDATE's MAX(COALESCE(last_used_at, ''), at), on the row if there is one.
    for (const [keyId, at] of lastUse) {
      const row = this.rows.get(keyId);
      if (!row) continue;
      const before = row.lastUsedAt ?? '';
      row.lastUsedAt = sqliteTextAfter(at, before) ? at : before;
      row.changed = true;
    }
  }

  finish(): void {
    this.rows.finish((s) => this.update.run(s.status, s.lastPosition, s.lastUsedAt, s.rowid));
  }
}
