import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { KeyEvent } from '#keys';

/** What both per-key collections (keys list, lookup) share: the status and its version guard. */
export interface VersionedKeyDoc extends Document {
  _id: string;
  status: 'active' | 'revoked' | 'expired' | 'deleted';
  /** Position of the last event applied to this key: one at or below it was applied already. */
  lastPosition: number;
}

/**
 * The status change an event makes, guarded as the SQLite tables are: only when the event is newer than the
 * document's last position, and an expiry never overwrites a revocation (only an active key expires).
 * No upsert: a status event for a key with no document has nothing to change.
 */
export const statusUpdate = <T extends VersionedKeyDoc>(event: KeyEvent, position: number): AnyBulkWriteOperation<T> | null => {
  const status =
    event.type === 'KeyRevoked' ? 'revoked' : event.type === 'KeyExpired' ? 'expired' : event.type === 'KeyDeleted' ? 'deleted' : null;
  if (status === null) return null;
  const filter: Document = { _id: event.data.keyId, lastPosition: { $lt: position } };
  if (status === 'expired') filter.status = 'active';
  return { updateOne: { filter, update: { $set: { status, lastPosition: position } } } } as AnyBulkWriteOperation<T>;
};
