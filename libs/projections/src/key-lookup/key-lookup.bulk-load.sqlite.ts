import type { RecordedEvent, SqliteDb } from '#event-store';
import { MINTED, PerKeyRows, type PerKeyState } from '../key-status/per-key-rows.js';
import { keyEventOf, type SqliteBulkLoad } from '../projection.js';
import { keyLookupInsertValues, KEY_LOOKUP_INSERT } from './key-lookup.table.sqlite.js';
import { keyLookupEntryOf } from './key-lookup.rules.js';

/**
 * A rebuild of key_lookup_v2 (KeyLookupProjection): each row inserted at its mint, its status and rotation folded
 * in memory (PerKeyRows) and written once by finish(), instead of an UPDATE by key_id for every change.
 */
export class KeyLookupBulkLoad implements SqliteBulkLoad {
  private readonly rows = new PerKeyRows<PerKeyState>({ revocationReason: false, expiryWarnings: false, replacementDeaths: false });
  private readonly insert;
  private readonly update;

  constructor(db: SqliteDb, table: string) {
    this.insert = db.prepare(`INSERT INTO ${table} ${KEY_LOOKUP_INSERT}`);
    this.update = db.prepare(`UPDATE ${table} SET status = ?, rotated_to = ?, overlap_ends_at = ?, last_position = ? WHERE rowid = ?`);
  }

  apply(events: readonly RecordedEvent[]): void {
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const p = recorded.globalPosition;
      if (event.type !== 'KeyMinted') {
        this.rows.change(event, p);
        continue;
      }
      const e = keyLookupEntryOf(event);
      this.rows.insert(e.keyId, () => Number(this.insert.run(...keyLookupInsertValues(e, p)).lastInsertRowid), { ...MINTED, lastPosition: p });
    }
  }

  finish(): void {
    this.rows.finish((s) => this.update.run(s.status, s.rotatedTo, s.overlapEndsAt, s.lastPosition, s.rowid));
  }
}
