import type { RecordedEvent, SqliteDb } from '#event-store';
import { MINTED, PerKeyRows, type PerKeyState } from '../key-status/per-key-rows.js';
import { sqliteTextAfter } from '../key-status/sqlite-text-order.js';
import { keyEventOf, type SqliteBulkLoad } from '../projection.js';
import { keysListInsertValues, KEYS_LIST_INSERT_COLUMNS, KEYS_LIST_INSERT_VALUES } from './keys-list.table.sqlite.js';
import { keyListRowOf } from './keys-list.rules.js';

interface State extends PerKeyState {
  lastUsedAt: string | null;
}

/**
 * A rebuild of keys_list_v2 (KeysListProjection): each row inserted at its mint, what changes after it (status,
 * rotation, revocation reason, expiry warning) and its last use folded in memory (PerKeyRows) and written once by
 * finish(), instead of an UPDATE by key_id for every batch's uses and every change. Per batch it keeps apply()'s
 * rule that uses count after the batch's other events (a key minted and used in one batch gets its use).
 */
export class KeysListBulkLoad implements SqliteBulkLoad {
  private readonly rows = new PerKeyRows<State>({ revocationReason: true, expiryWarnings: true, replacementDeaths: true });
  private readonly insert;
  private readonly update;

  constructor(db: SqliteDb, table: string) {
    this.insert = db.prepare(`INSERT INTO ${table} (${KEYS_LIST_INSERT_COLUMNS}) VALUES (${KEYS_LIST_INSERT_VALUES})`);
    this.update = db.prepare(
      `UPDATE ${table} SET status = ?, last_position = ?, last_used_at = ?, rotated_to = ?, overlap_ends_at = ?, revocation_reason = ?,
       expiry_warned_days_before = ? WHERE rowid = ?`,
    );
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
        const insert = () => Number(this.insert.run(...keysListInsertValues(r, p)).lastInsertRowid);
        this.rows.insert(r.keyId, insert, { ...MINTED, expiresAt: r.expiresAt, lastPosition: p, lastUsedAt: null });
      } else this.rows.change(event, p);
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
    this.rows.finish((s) =>
      this.update.run(s.status, s.lastPosition, s.lastUsedAt, s.rotatedTo, s.overlapEndsAt, s.revocationReason, s.expiryWarnedDaysBefore, s.rowid),
    );
  }
}
