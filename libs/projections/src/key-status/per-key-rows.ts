import type { KeyEvent, RevocationReason } from '#keys';
import type { PerKeyColumns } from './key-status.sqlite.js';
import { killsKey, LIVE_STATUSES, perKeyChangeOf, statusChangeApplies, type KeyStatus } from './key-status.js';
import { sqliteTextAfter } from './sqlite-text-order.js';

/**
 * What changes in a per-key row after its mint (key-status.ts's perKeyChangeOf): the fields key-status.sqlite.ts's
 * UPDATEs read and set, and its rowid. A table that has no column for one of them (the lookup keeps no revocation
 * reason or warning) leaves it out when it writes.
 */
export interface PerKeyState {
  rowid: number;
  status: KeyStatus;
  lastPosition: number;
  rotatedTo: string | null;
  overlapEndsAt: string | null;
  /** Its expiry (the mint's expiresAt), for a table with replacementDeaths; else absent. */
  expiresAt?: string;
  revocationReason: RevocationReason | null;
  expiryWarnedDaysBefore: number | null;
  /** Changed since it was inserted: finish() writes it. */
  changed: boolean;
}

/** What a mint leaves of a row's changing fields: active, nothing else yet. */
export const MINTED = { status: 'active', rotatedTo: null, overlapEndsAt: null, revocationReason: null, expiryWarnedDaysBefore: null } as const;

/**
 * A per-key table (keys list, lookup) during a rebuild: each row is inserted at its mint (appended, in mint
 * order), and only what changes afterwards is folded in memory, one small record per key; finish() writes the
 * changed rows once, in rowid order (a walk through the table, not an UPDATE by key_id per event). Same rules
 * as the SQL of the incremental projections:
 * - insert: INSERT OR IGNORE (a replayed KeyMinted changes nothing);
 * - after it: preparePerKeyUpdates' UPDATE … WHERE last_position < ? [AND status IN (…)] (no row: nothing).
 * Only small records stay in memory (the rows themselves are in SQLite): holding whole rows costs more in
 * garbage collection than the UPDATEs it saves.
 */
export class PerKeyRows<State extends PerKeyState> {
  readonly keys = new Map<string, State>();
  /** With replacementDeaths: the keys a rotation made name each replacement (stale entries are checked on use). */
  private readonly replacing = new Map<string, string[]>();

  /** The table's optional columns: a change it has no column for is not applied (as its UPDATEs do). */
  constructor(private readonly columns: PerKeyColumns) {}

  /** The state of the key's row, if it has one. */
  get(keyId: string): State | undefined {
    return this.keys.get(keyId);
  }

  /** Inserts the row (insert() returns its rowid) unless the key has one. */
  insert(keyId: string, insert: () => number, state: Omit<State, 'rowid' | 'changed'>): void {
    if (this.keys.has(keyId)) return;
    this.keys.set(keyId, { ...state, rowid: insert(), changed: false } as State);
  }

  /** An event after the mint (perKeyChangeOf), folded into the row's record if it has one. */
  change(event: KeyEvent, position: number): void {
    const change = perKeyChangeOf(event);
    const row = change && this.keys.get(event.data.keyId);
    if (change && this.columns.replacementDeaths && killsKey(change)) this.replacementDied(event, position);
    if (!change || !row || row.lastPosition >= position) return;
    switch (change.kind) {
      case 'status':
        if (!statusChangeApplies(change.change, row.status)) return;
        row.status = change.change.status;
        if (change.change.status === 'revoked' && this.columns.revocationReason) row.revocationReason = change.revocationReason;
        break;
      case 'rotation':
        row.rotatedTo = change.rotatedTo;
        row.overlapEndsAt = change.overlapEndsAt;
        if (this.columns.replacementDeaths) this.replacing.set(change.rotatedTo, [...(this.replacing.get(change.rotatedTo) ?? []), event.data.keyId]);
        break;
      case 'warning':
        if (!this.columns.expiryWarnings) return;
        row.expiryWarnedDaysBefore = row.expiryWarnedDaysBefore === null ? change.daysBefore : Math.min(row.expiryWarnedDaysBefore, change.daysBefore);
        break;
    }
    row.lastPosition = position;
    row.changed = true;
  }

  /**
   * As preparePerKeyUpdates' replacementDied: every key naming the dead one as its replacement, stored live and
   * still before its overlap's end and its expiry at the death's `at` (compared as SQLite compares TEXT), no longer
   * names it.
   */
  private replacementDied(event: KeyEvent, position: number): void {
    const { keyId, at } = event.data;
    for (const id of this.replacing.get(keyId) ?? []) {
      // A key "replaced" by itself (a log the decider never writes) dies by its own event, not this one.
      if (id === keyId) continue;
      const row = this.keys.get(id);
      if (!row || row.rotatedTo !== keyId || row.lastPosition >= position || !(LIVE_STATUSES as readonly KeyStatus[]).includes(row.status)) continue;
      if (row.overlapEndsAt === null || !sqliteTextAfter(row.overlapEndsAt, at) || row.expiresAt === undefined || !sqliteTextAfter(row.expiresAt, at)) continue;
      row.rotatedTo = null;
      row.lastPosition = position;
      row.changed = true;
    }
  }

  /** Hands every changed row to `update`, in rowid order, and forgets them all. */
  finish(update: (state: State) => void): void {
    const changed = [...this.keys.values()].filter((s) => s.changed).sort((a, b) => a.rowid - b.rowid);
    this.keys.clear();
    this.replacing.clear();
    for (const state of changed) update(state);
  }
}
