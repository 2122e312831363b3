import type { AnyBulkWriteOperation } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import { keyEventOf } from '../projection.js';
import { perKeyUpdates, type VersionedKeyDoc } from '../key-status/key-status.mongo.js';
import { MongoCollectionsProjection, versioned, type MongoTx } from '../runner/mongo-projection.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import type { KeyLookupEntry } from './key-lookup-read-model.js';
import { KEY_LOOKUP_EVENT_TYPES, keyLookupEntryOf } from './key-lookup.rules.js';

export const keyLookupCollection = (version = MONGO_READ_MODEL_VERSION): string => versioned('key_lookup', version);

/** One document per key id (the _id). */
export interface KeyLookupDoc extends VersionedKeyDoc, Omit<KeyLookupEntry, 'keyId' | 'status' | 'rotatedTo' | 'overlapEndsAt'> {}

const FIELDS = { revocationReason: false, expiryWarnings: false, replacementDeaths: false, retiresAt: false };

/** The guard's lookup (key-lookup.rules.ts) in key_lookup_v<n>; get(keyId) and all() go by _id. */
export class MongoKeyLookupProjection extends MongoCollectionsProjection {
  readonly eventTypes = KEY_LOOKUP_EVENT_TYPES;

  constructor(version = MONGO_READ_MODEL_VERSION) {
    // liveSince(checkpoint, now) reads every document (a start-up seed of the whole hot table): no index helps it.
    super(version, { key_lookup: undefined });
  }

  async apply(events: readonly RecordedEvent[], { db, session }: MongoTx): Promise<void> {
    const ops: AnyBulkWriteOperation<KeyLookupDoc>[] = [];
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const p = recorded.globalPosition;
      if (event.type !== 'KeyMinted') {
        ops.push(...perKeyUpdates<KeyLookupDoc>(event, p, FIELDS));
        continue;
      }
      const { keyId, ...entry } = keyLookupEntryOf(event);
      ops.push({ updateOne: { filter: { _id: keyId }, update: { $setOnInsert: { ...entry, lastPosition: p } }, upsert: true } });
    }
    if (ops.length > 0) await db.collection<KeyLookupDoc>(this.name).bulkWrite(ops, { session, ordered: true });
  }
}
