import type { AnyBulkWriteOperation } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import { KEY_EVENT_TYPES } from '#keys';
import { keyEventOf } from '../projection.js';
import { MongoCollectionsProjection, versioned, type MongoTx } from '../runner/mongo-projection.js';
import { activityEntryOf, activityKeyAfter, type ActivityEntry, type ActivityKey } from './activity-feed.rules.js';

export const activityCollection = (version = 1): string => versioned('activity', version);
export const activityKeysCollection = (version = 1): string => versioned('activity_keys', version);

/** One entry of the feed; _id is the event's global position, so a replayed event is ignored. */
export interface ActivityDoc extends Omit<ActivityEntry, 'position'> {
  _id: number;
}

/** The feed's record of each key's label and owner; _id is the key id. */
export interface ActivityKeyDoc extends ActivityKey {
  _id: string;
}

/** The activity feed (activity-feed.rules.ts) in activity_v<n>, with its own key records in activity_keys_v<n>. */
export class MongoActivityFeedProjection extends MongoCollectionsProjection {
  readonly eventTypes = KEY_EVENT_TYPES;
  private readonly keysName: string;

  constructor(version = 1) {
    super(version, {
      // Each query filters on the company and maybe one more field, newest first, paged by `_id < before`.
      activity: [
        { key: { companyId: 1, _id: -1 }, name: 'by_company' },
        { key: { companyId: 1, keyId: 1, _id: -1 }, name: 'by_key' },
        { key: { companyId: 1, actorUserId: 1, _id: -1 }, name: 'by_actor' },
        { key: { companyId: 1, keyOwnerUserId: 1, _id: -1 }, name: 'by_owner' },
      ],
      activity_keys: undefined,
    });
    this.keysName = activityKeysCollection(version);
  }

  async apply(events: readonly RecordedEvent[], { db, session }: MongoTx): Promise<void> {
    const keysCollection = db.collection<ActivityKeyDoc>(this.keysName);
    const keyIds = [...new Set(events.map((e) => keyEventOf(e).data.keyId))];
    // The batch's keys as stored, then folded along the batch: an entry carries the label known at its event.
    const keys = new Map<string, ActivityKey>();
    for (const { _id, ...key } of await keysCollection.find({ _id: { $in: keyIds } }, { session }).toArray()) keys.set(_id, key);

    const keyOps: AnyBulkWriteOperation<ActivityKeyDoc>[] = [];
    const entryOps: AnyBulkWriteOperation<ActivityDoc>[] = [];
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const { keyId } = event.data;
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
      entryOps.push({ updateOne: { filter: { _id: position }, update: { $setOnInsert: entry }, upsert: true } });
    }
    if (keyOps.length > 0) await keysCollection.bulkWrite(keyOps, { session, ordered: true });
    if (entryOps.length > 0) await db.collection<ActivityDoc>(this.name).bulkWrite(entryOps, { session, ordered: true });
  }
}
