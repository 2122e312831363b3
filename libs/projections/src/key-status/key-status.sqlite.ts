import type { SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { killsKey, LIVE_STATUSES, perKeyChangeOf, STATUS_EVENT_TYPES, statusChangeOf } from './key-status.js';

/**
 * The first columns of both per-key tables (keys list, lookup): the key, its company and its owner (keyOwner of
 * its mint). Both also have the `status`, `rotated_to`, `overlap_ends_at` and `last_position` the updates below set.
 */
export const PER_KEY_COLUMNS = 'key_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT NOT NULL';

/** The per-key columns a table has beyond those every per-key table has. */
export interface PerKeyColumns {
  /** revocation_reason, set by KeyRevoked. */
  revocationReason: boolean;
  /** expiry_warned_days_before, lowered by KeyExpiring. */
  expiryWarnings: boolean;
  /** A key's death clears rotated_to of the key it was replacing, if that one still works (key-status.ts's killsKey). */
  replacementDeaths: boolean;
}

const quotedList = (statuses: readonly string[]): string => statuses.map((s) => `'${s}'`).join(', ');

/**
 * The changes after a mint (key-status.ts's perKeyChangeOf) as one prepared UPDATE each, on a table with key_id,
 * status, rotated_to, overlap_ends_at and last_position (and the optional columns it names). Every one is
 * guarded by the last position and moves it.
 */
export const preparePerKeyUpdates = (db: SqliteDb, table: string, columns: PerKeyColumns) => {
  const guard = 'WHERE key_id = ? AND last_position < ?';
  const statuses = new Map(
    STATUS_EVENT_TYPES.map((type) => {
      const change = statusChangeOf(type)!;
      const onlyFrom = change.from === null ? '' : `AND status IN (${quotedList(change.from)})`;
      const reason = columns.revocationReason && type === 'KeyRevoked' ? ', revocation_reason = @reason' : '';
      const sql = `UPDATE ${table} SET status = '${change.status}'${reason}, last_position = @p WHERE key_id = @keyId AND last_position < @p ${onlyFrom}`;
      return [type, db.prepare(sql)] as const;
    }),
  );
  const rotation = db.prepare(`UPDATE ${table} SET rotated_to = ?, overlap_ends_at = ?, last_position = ? ${guard}`);
  const warning = columns.expiryWarnings
    ? db.prepare(
        `UPDATE ${table} SET expiry_warned_days_before = MIN(COALESCE(expiry_warned_days_before, @days), @days), last_position = @p
         WHERE key_id = @keyId AND last_position < @p`,
      )
    : null;
  // The keys naming this one as their replacement (by the partial index on rotated_to), if they still work at `at`.
  const replacementDied = columns.replacementDeaths
    ? db.prepare(
        `UPDATE ${table} SET rotated_to = NULL, last_position = @p
         WHERE rotated_to = @keyId AND key_id <> @keyId AND status IN (${quotedList(LIVE_STATUSES)}) AND overlap_ends_at > @at AND expires_at > @at
           AND last_position < @p`,
      )
    : null;
  return (event: KeyEvent, position: number): void => {
    const change = perKeyChangeOf(event);
    const { keyId } = event.data;
    if (change === null) return;
    if (replacementDied !== null && killsKey(change)) replacementDied.run({ p: position, keyId, at: event.data.at });
    if (change.kind === 'rotation') rotation.run(change.rotatedTo, change.overlapEndsAt, position, keyId, position);
    else if (change.kind === 'warning') warning?.run({ days: change.daysBefore, p: position, keyId });
    else {
      const params: Record<string, unknown> = { p: position, keyId };
      if (columns.revocationReason && event.type === 'KeyRevoked') params.reason = change.revocationReason;
      statuses.get(event.type)!.run(params);
    }
  };
};
