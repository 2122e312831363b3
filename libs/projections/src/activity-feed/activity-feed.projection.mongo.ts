import type { AnyBulkWriteOperation } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import { KEY_EVENT_TYPES, type KeyUsed } from '#keys';
import { keyEventOf } from '../projection.js';
import { MongoCollectionsProjection, versioned, type MongoTx } from '../runner/mongo-projection.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import {
  activityEntryOf,
  activityKeyAfter,
  bucketIdOf,
  foldUse,
  useBucketKey,
  type ActivityEntry,
  type ActivityKey,
  type UseBucket,
} from './activity-feed.rules.js';

export const activityCollection = (version = MONGO_READ_MODEL_VERSION): string => versioned('activity', version);
export const activityKeysCollection = (version = MONGO_READ_MODEL_VERSION): string => versioned('activity_keys', version);

/**
 * One entry of the feed. A lifecycle event's: _id is its global position, so a replayed event is ignored. A
 * roll-up of uses (type KeyUsed): _id is its bucket id, and the UseBucket fields. `position` orders the feed:
 * the event's, or the roll-up's lastPosition.
 */
export interface ActivityDoc extends Omit<ActivityEntry, 'position' | 'eventId'>, Partial<Omit<UseBucket, 'bucketId' | keyof ActivityEntry>> {
  _id: number | string;
  position: number;
  /** Lifecycle entries only. */
  eventId?: string;
}

/** The feed's record of each key's label and owner; _id is the key id. */
export interface ActivityKeyDoc extends ActivityKey {
  _id: string;
}

/** The document of a roll-up (without its _id, the bucket id). */
export const useDocOf = ({ bucketId: _, ...bucket }: UseBucket): Omit<ActivityDoc, '_id'> => ({
  ...bucket,
  position: bucket.lastPosition,
  type: 'KeyUsed',
  at: bucket.lastAt,
});

/** The activity feed (activity-feed.rules.ts) in activity_v<n>, with its own key records in activity_keys_v<n>. */
export class MongoActivityFeedProjection extends MongoCollectionsProjection {
  readonly eventTypes = KEY_EVENT_TYPES;
  private readonly keysName: string;

  constructor(version = MONGO_READ_MODEL_VERSION) {
    super(version, {
      // Each query filters on the company and maybe one more field, newest first, paged by `position < before`.
      activity: [
        { key: { companyId: 1, position: -1 }, name: 'by_company' },
        { key: { companyId: 1, keyId: 1, position: -1 }, name: 'by_key' },
        { key: { companyId: 1, actorUserId: 1, position: -1 }, name: 'by_actor' },
        { key: { companyId: 1, keyOwnerUserId: 1, position: -1 }, name: 'by_owner' },
      ],
      activity_keys: undefined,
    });
    this.keysName = activityKeysCollection(version);
  }

  /**
   * Reads the batch's key records and roll-ups once, folds the batch along them (an entry carries the label
   * known at its event; a use at or below its roll-up's lastPosition was counted already), then writes each
   * key record and roll-up that changed once, and each lifecycle entry.
   */
  async apply(events: readonly RecordedEvent[], { db, session }: MongoTx): Promise<void> {
    const keysCollection = db.collection<ActivityKeyDoc>(this.keysName);
    const entries = db.collection<ActivityDoc>(this.name);
    const keyIds = [...new Set(events.map((e) => keyEventOf(e).data.keyId))];
    const keys = new Map<string, ActivityKey>();
    for (const { _id, ...key } of await keysCollection.find({ _id: { $in: keyIds } }, { session }).toArray()) keys.set(_id, key);

    const bucketKeys = new Map<RecordedEvent, string>();
    for (const recorded of events) if (recorded.type === 'KeyUsed') bucketKeys.set(recorded, useBucketKey(keyEventOf(recorded) as KeyUsed));
    const bucketIds = [...new Set([...bucketKeys.values()].map(bucketIdOf))];
    const stored = new Map<string, UseBucket>();
    if (bucketIds.length > 0) {
      for (const doc of await entries.find({ _id: { $in: bucketIds } }, { session }).toArray()) stored.set(doc._id as string, bucketOfDoc(doc));
    }
    const folded = new Map<string, UseBucket>(stored);

    const keyOps: AnyBulkWriteOperation<ActivityKeyDoc>[] = [];
    const entryOps: AnyBulkWriteOperation<ActivityDoc>[] = [];
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const { keyId } = event.data;
      if (event.type === 'KeyUsed') {
        const bucketKey = bucketKeys.get(recorded)!;
        const bucketId = bucketIdOf(bucketKey);
        folded.set(bucketId, foldUse(folded.get(bucketId), event, recorded.globalPosition, keys.get(keyId), bucketKey));
        continue;
      }
      const key = activityKeyAfter(event, keys.get(keyId));
      if (key && key !== keys.get(keyId)) {
        keys.set(keyId, key);
        // The first owner stays; only a mint names the key.
        const update =
          event.type === 'KeyMinted'
            ? { $set: { label: key.label }, $setOnInsert: { ownerUserId: key.ownerUserId } }
            : { $setOnInsert: { label: key.label, ownerUserId: key.ownerUserId } };
        keyOps.push({ updateOne: { filter: { _id: keyId }, update, upsert: true } });
      }
      const { position, ...entry } = activityEntryOf(recorded, event, key);
      entryOps.push({ updateOne: { filter: { _id: position }, update: { $setOnInsert: { ...entry, position } }, upsert: true } });
    }
    for (const [bucketId, bucket] of folded) {
      const before = stored.get(bucketId);
      if (bucket === before) continue;
      // A new roll-up is inserted; a stored one replaced only as read (its lastPosition), in this transaction.
      const filter = before === undefined ? { _id: bucketId } : { _id: bucketId, lastPosition: before.lastPosition };
      entryOps.push({ replaceOne: { filter, replacement: useDocOf(bucket), upsert: before === undefined } });
    }
    if (keyOps.length > 0) await keysCollection.bulkWrite(keyOps, { session, ordered: true });
    if (entryOps.length > 0) await entries.bulkWrite(entryOps, { session, ordered: true });
  }
}

/** A roll-up as stored. */
export const bucketOfDoc = (doc: ActivityDoc): UseBucket => ({
  bucketId: doc._id as string,
  companyId: doc.companyId,
  keyId: doc.keyId,
  keyLabel: doc.keyLabel,
  keyOwnerUserId: doc.keyOwnerUserId,
  actorUserId: doc.actorUserId,
  actorName: doc.actorName,
  tool: doc.tool ?? null,
  clientName: doc.clientName ?? null,
  clientVersion: doc.clientVersion ?? null,
  minute: doc.minute!,
  count: doc.count!,
  firstAt: doc.firstAt!,
  lastAt: doc.lastAt!,
  outcomes: doc.outcomes!,
  firstPosition: doc.firstPosition!,
  lastPosition: doc.lastPosition!,
  detail: doc.detail,
});
