import type { KeyEvent } from '#keys';
import { statusChangeOf, type KeyStatus } from './key-status.js';

/** What changes in a per-key row after its mint: the fields key-status.sqlite.ts's UPDATEs read and set, and its rowid. */
export interface PerKeyState {
  rowid: number;
  status: KeyStatus;
  lastPosition: number;
  /** Changed since it was inserted: finish() writes it. */
  changed: boolean;
}

/**
 * A per-key table (keys list, lookup) during a rebuild: each row is inserted at its mint (appended, in mint
 * order), and only what changes afterwards is folded in memory, one small record per key; finish() writes the
 * changed rows once, in rowid order (a walk through the table, not an UPDATE by key_id per event). Same rules
 * as the SQL of the incremental projections:
 * - insert: INSERT OR IGNORE (a replayed KeyMinted changes nothing);
 * - status: prepareStatusUpdates' UPDATE … WHERE last_position < ? [AND status = 'active'] (no row: nothing).
 * Only small records stay in memory (the rows themselves are in SQLite): holding whole rows costs more in
 * garbage collection than the UPDATEs it saves.
 */
export class PerKeyRows<State extends PerKeyState> {
  readonly keys = new Map<string, State>();

  /** The state of the key's row, if it has one. */
  get(keyId: string): State | undefined {
    return this.keys.get(keyId);
  }

  /** Inserts the row (insert() returns its rowid) unless the key has one. */
  insert(keyId: string, insert: () => number, state: Omit<State, 'rowid' | 'changed'>): void {
    if (this.keys.has(keyId)) return;
    this.keys.set(keyId, { ...state, rowid: insert(), changed: false } as State);
  }

  status(event: KeyEvent, position: number): void {
    const change = statusChangeOf(event.type);
    const row = change && this.keys.get(event.data.keyId);
    if (!change || !row || row.lastPosition >= position) return;
    if (change.onlyFromActive && row.status !== 'active') return;
    row.status = change.status;
    row.lastPosition = position;
    row.changed = true;
  }

  /** Hands every changed row to `update`, in rowid order, and forgets them all. */
  finish(update: (state: State) => void): void {
    const changed = [...this.keys.values()].filter((s) => s.changed).sort((a, b) => a.rowid - b.rowid);
    this.keys.clear();
    for (const state of changed) update(state);
  }
}
