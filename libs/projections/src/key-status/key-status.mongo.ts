import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { KeyEvent } from '#keys';
import { statusChangeOf, type KeyStatus } from './key-status.js';

/** What both per-key collections (keys list, lookup) share: the status and its version guard. */
export interface VersionedKeyDoc extends Document {
  _id: string;
  status: KeyStatus;
  /** Position of the last event applied to this key: one at or below it was applied already. */
  lastPosition: number;
}

/** The status change an event makes (key-status.ts) as one guarded update; no upsert. */
export const statusUpdate = <T extends VersionedKeyDoc>(event: KeyEvent, position: number): AnyBulkWriteOperation<T> | null => {
  const change = statusChangeOf(event.type);
  if (change === null) return null;
  const filter: Document = { _id: event.data.keyId, lastPosition: { $lt: position } };
  if (change.onlyFromActive) filter.status = 'active';
  return { updateOne: { filter, update: { $set: { status: change.status, lastPosition: position } } } } as AnyBulkWriteOperation<T>;
};
