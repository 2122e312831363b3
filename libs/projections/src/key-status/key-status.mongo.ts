import type { AnyBulkWriteOperation, Document } from 'mongodb';
import type { KeyEvent } from '#keys';
import type { PerKeyColumns } from './key-status.sqlite.js';
import { killsKey, LIVE_STATUSES, perKeyChangeOf, type KeyStatus } from './key-status.js';

/** What both per-key collections (keys list, lookup) share: the status, the rotation and the version guard. */
export interface VersionedKeyDoc extends Document {
  _id: string;
  status: KeyStatus;
  rotatedTo: string | null;
  overlapEndsAt: string | null;
  /** Position of the last event applied to this key: one at or below it was applied already. */
  lastPosition: number;
}

/** The per-key fields a collection has beyond those every per-key collection has (key-status.sqlite.ts's, plus one). */
export interface PerKeyFields extends PerKeyColumns {
  /**
   * retiresAt: the instant a rotation revokes the key (its overlapEndsAt when before its expiresAt, else null), set
   * by KeyRotated from the stored expiresAt, so that "the overlap ended" is one indexed comparison with `now`.
   */
  retiresAt: boolean;
}

/** A value in an update pipeline, never read as a field path or an operator. */
const literal = (value: unknown) => ({ $literal: value });

/**
 * The changes an event makes after the mint (key-status.ts's perKeyChangeOf), each one guarded update, no upsert:
 * the key's own, and with replacementDeaths, for a key dying, the keys naming it as their replacement that still
 * work at its `at` (killsKey), found by their rotatedTo (an index of the collection: the event does not name them).
 */
export const perKeyUpdates = <T extends VersionedKeyDoc>(event: KeyEvent, position: number, fields: PerKeyFields): AnyBulkWriteOperation<T>[] => {
  const change = perKeyChangeOf(event);
  if (change === null) return [];
  const own = perKeyUpdate<T>(event, change, position, fields);
  const ops = own === null ? [] : [own];
  if (fields.replacementDeaths && killsKey(change)) {
    const { keyId, at } = event.data;
    const filter: Document = {
      rotatedTo: keyId,
      // A key "replaced" by itself (a log the decider never writes) dies by its own event, not this one.
      _id: { $ne: keyId },
      status: { $in: LIVE_STATUSES },
      overlapEndsAt: { $gt: at },
      expiresAt: { $gt: at },
      lastPosition: { $lt: position },
    };
    ops.push({ updateMany: { filter, update: { $set: { rotatedTo: null, lastPosition: position } } } } as AnyBulkWriteOperation<T>);
  }
  return ops;
};

const perKeyUpdate = <T extends VersionedKeyDoc>(
  event: KeyEvent,
  change: NonNullable<ReturnType<typeof perKeyChangeOf>>,
  position: number,
  fields: PerKeyFields,
): AnyBulkWriteOperation<T> | null => {
  const filter: Document = { _id: event.data.keyId, lastPosition: { $lt: position } };
  let update: Document | Document[];
  switch (change.kind) {
    case 'status': {
      if (change.change.from !== null) filter.status = { $in: change.change.from };
      const set: Document = { status: change.change.status, lastPosition: position };
      if (fields.revocationReason && event.type === 'KeyRevoked') set.revocationReason = change.revocationReason;
      update = { $set: set };
      break;
    }
    case 'rotation': {
      const set: Document = { rotatedTo: literal(change.rotatedTo), overlapEndsAt: literal(change.overlapEndsAt), lastPosition: literal(position) };
      if (fields.retiresAt) set.retiresAt = { $cond: [{ $lt: [literal(change.overlapEndsAt), '$expiresAt'] }, literal(change.overlapEndsAt), null] };
      update = [{ $set: set }];
      break;
    }
    case 'warning': {
      if (!fields.expiryWarnings) return null;
      const days = literal(change.daysBefore);
      update = [{ $set: { expiryWarnedDaysBefore: { $min: [{ $ifNull: ['$expiryWarnedDaysBefore', days] }, days] }, lastPosition: literal(position) } }];
      break;
    }
  }
  return { updateOne: { filter, update } } as AnyBulkWriteOperation<T>;
};
