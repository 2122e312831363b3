import type { SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';

/**
 * The status changes both per-key tables (keys list, lookup) make, with the same version guard:
 * an event at or below the row's last_position was applied already.
 */
export const prepareStatusUpdates = (db: SqliteDb, table: string) => {
  const set = (status: string, onlyFrom = '') =>
    db.prepare(
      `UPDATE ${table} SET status = '${status}', last_position = ?
       WHERE key_id = ? AND last_position < ? ${onlyFrom}`,
    );
  const revoked = set('revoked');
  // An expiry never overwrites a revocation.
  const expired = set('expired', "AND status = 'active'");
  const deleted = set('deleted');
  return (event: KeyEvent, position: number): void => {
    if (event.type === 'KeyRevoked') revoked.run(position, event.data.keyId, position);
    else if (event.type === 'KeyExpired') expired.run(position, event.data.keyId, position);
    else if (event.type === 'KeyDeleted') deleted.run(position, event.data.keyId, position);
  };
};
