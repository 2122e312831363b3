import type { AnyBulkWriteOperation, ClientSession, Db } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import { KEY_EVENT_TYPES, type KeyEvent } from '#keys';
import { activityDetail } from './activity-detail.js';
import { ensureCollection, versioned, type MongoProjection } from '../runner/mongo-projection.js';

export const activityCollection = (version = 1): string => versioned('activity', version);
export const activityKeysCollection = (version = 1): string => versioned('activity_keys', version);

/** One entry of the feed; _id is the event's global position, so a replayed event is ignored. */
export interface ActivityDoc {
  _id: number;
  eventId: string;
  companyId: string;
  type: string;
  keyId: string;
  keyLabel: string | null;
  keyOwnerUserId: string;
  actorUserId: string;
  actorName: string;
  at: string;
  detail: string;
}

/** The feed's own record of each key's label and owner; _id is the key id. */
export interface ActivityKeyDoc {
  _id: string;
  label: string | null;
  ownerUserId: string;
}

/**
 * Every lifecycle change and every use, attributed, as the SQLite activity_v1. It keeps its own small
 * collection of key labels and owners instead of reading another projection, so it can be rebuilt alone.
 */
export class MongoActivityFeedProjection implements MongoProjection {
  readonly name: string;
  readonly eventTypes = KEY_EVENT_TYPES;
  readonly collections: readonly string[];
  private readonly keysName: string;

  constructor(version = 1) {
    this.name = activityCollection(version);
    this.keysName = activityKeysCollection(version);
    this.collections = [this.name, this.keysName];
  }

  async init(db: Db): Promise<void> {
    await ensureCollection(db, this.name);
    await ensureCollection(db, this.keysName);
    // Each query filters on the company and maybe one more field, newest first, paged by `_id < before`.
    await db.collection(this.name).createIndexes([
      { key: { companyId: 1, _id: -1 }, name: 'by_company' },
      { key: { companyId: 1, keyId: 1, _id: -1 }, name: 'by_key' },
      { key: { companyId: 1, actorUserId: 1, _id: -1 }, name: 'by_actor' },
      { key: { companyId: 1, keyOwnerUserId: 1, _id: -1 }, name: 'by_owner' },
    ]);
  }

  async apply(db: Db, events: readonly RecordedEvent[], session: ClientSession): Promise<void> {
    const keysCollection = db.collection<ActivityKeyDoc>(this.keysName);
    const keyIds = [...new Set(events.map((e) => (e.data as KeyEvent['data']).keyId))];
    // The batch's keys as stored, then folded along the batch: an entry carries the label known at its event.
    const keys = new Map<string, ActivityKeyDoc>();
    for (const doc of await keysCollection.find({ _id: { $in: keyIds } }, { session }).toArray()) keys.set(doc._id, doc);

    const keyOps: AnyBulkWriteOperation<ActivityKeyDoc>[] = [];
    const entryOps: AnyBulkWriteOperation<ActivityDoc>[] = [];
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as KeyEvent;
      const d = event.data;
      // The acknowledger reserves the key id; the mint names it. Both are the same user; the first one seen
      // stays the owner.
      if (event.type === 'KeyAcknowledged') {
        if (!keys.has(d.keyId)) keys.set(d.keyId, { _id: d.keyId, label: null, ownerUserId: d.actorUserId });
        keyOps.push({
          updateOne: { filter: { _id: d.keyId }, update: { $setOnInsert: { label: null, ownerUserId: d.actorUserId } }, upsert: true },
        });
      } else if (event.type === 'KeyMinted') {
        const ownerUserId = keys.get(d.keyId)?.ownerUserId ?? d.actorUserId;
        keys.set(d.keyId, { _id: d.keyId, label: event.data.label, ownerUserId });
        keyOps.push({
          updateOne: {
            filter: { _id: d.keyId },
            update: { $set: { label: event.data.label }, $setOnInsert: { ownerUserId: d.actorUserId } },
            upsert: true,
          },
        });
      }
      const key = keys.get(d.keyId);
      const label = key?.label ?? null;
      entryOps.push({
        updateOne: {
          filter: { _id: recorded.globalPosition },
          update: {
            $setOnInsert: {
              eventId: recorded.eventId, companyId: d.companyId, type: event.type, keyId: d.keyId, keyLabel: label,
              keyOwnerUserId: key?.ownerUserId ?? d.actorUserId, actorUserId: d.actorUserId, actorName: d.actorName,
              at: d.at, detail: activityDetail(event, label),
            },
          },
          upsert: true,
        },
      });
    }
    if (keyOps.length > 0) await keysCollection.bulkWrite(keyOps, { session, ordered: true });
    if (entryOps.length > 0) await db.collection<ActivityDoc>(this.name).bulkWrite(entryOps, { session, ordered: true });
  }
}
