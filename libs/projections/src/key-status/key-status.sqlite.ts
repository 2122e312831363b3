import type { SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { STATUS_EVENT_TYPES, statusChangeOf } from './key-status.js';

/**
 * The first columns of both per-key tables (keys list, lookup): the key, its company and its creator. Both also
 * have the `status` and `last_position` the updates below set.
 */
export const PER_KEY_COLUMNS = 'key_id TEXT PRIMARY KEY, company_id TEXT NOT NULL, user_id TEXT NOT NULL, user_name TEXT NOT NULL';

/** The status changes (key-status.ts) as one prepared UPDATE each, on a table with key_id, status and last_position. */
export const prepareStatusUpdates = (db: SqliteDb, table: string) => {
  const updates = new Map(
    STATUS_EVENT_TYPES.map((type) => {
      const change = statusChangeOf(type)!;
      const onlyFrom = change.onlyFromActive ? "AND status = 'active'" : '';
      const sql = `UPDATE ${table} SET status = '${change.status}', last_position = ? WHERE key_id = ? AND last_position < ? ${onlyFrom}`;
      return [type, db.prepare(sql)] as const;
    }),
  );
  return (event: KeyEvent, position: number): void => void updates.get(event.type)?.run(position, event.data.keyId, position);
};
