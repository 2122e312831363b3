import type { AnyBulkWriteOperation } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import { keyEventOf } from '../projection.js';
import { perKeyUpdates, type VersionedKeyDoc } from '../key-status/key-status.mongo.js';
import { MongoCollectionsProjection, versioned, type MongoTx } from '../runner/mongo-projection.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import type { KeyListRow } from './keys-read-model.js';
import { KEYS_LIST_EVENT_TYPES, keyListRowOf } from './keys-list.rules.js';

export const keysListCollection = (version = MONGO_READ_MODEL_VERSION): string => versioned('keys_list', version);

/** One document per key (_id: the key id). */
export interface KeysListDoc extends VersionedKeyDoc, Omit<KeyListRow, 'keyId' | 'status' | 'rotatedTo' | 'overlapEndsAt'> {
  /** Position of the KeyMinted: "newest first" sorts on it. */
  createdPosition: number;
  /** When a rotation revokes the key: its overlapEndsAt if before its expiresAt, else null (key-status.mongo.ts). */
  retiresAt: string | null;
}

const FIELDS = { revocationReason: true, expiryWarnings: true, replacementDeaths: true, retiresAt: true };

/** The keys list (keys-list.rules.ts) in keys_list_v<n>: a mint is a $setOnInsert. */
export class MongoKeysListProjection extends MongoCollectionsProjection {
  readonly eventTypes = KEYS_LIST_EVENT_TYPES;

  constructor(version = MONGO_READ_MODEL_VERSION) {
    super(version, {
      keys_list: [
        // list(company), newest first; get(company, key) goes by _id.
        { key: { companyId: 1, createdPosition: -1 }, name: 'by_company' },
        // list(company, user), newest first.
        { key: { companyId: 1, userId: 1, createdPosition: -1 }, name: 'by_user' },
        // lapsed(now), expiryWarningsDue(now, days): live keys by expiry.
        { key: { status: 1, expiresAt: 1 }, name: 'by_expiry' },
        // overlapsEnded(now): live keys by the instant their rotation revokes them.
        { key: { status: 1, retiresAt: 1 }, name: 'by_retirement' },
        // A key dying clears rotatedTo of the key it was replacing (key-status.mongo.ts's perKeyUpdates).
        { key: { rotatedTo: 1 }, name: 'by_replacement' },
      ],
    });
  }

  async apply(events: readonly RecordedEvent[], { db, session }: MongoTx): Promise<void> {
    const ops: AnyBulkWriteOperation<KeysListDoc>[] = [];
    // Uses are most of the log: one $max per key and batch, after the batch's mints so a key minted and used
    // in the same batch gets its use.
    const lastUse = new Map<string, string>();
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const p = recorded.globalPosition;
      if (event.type === 'KeyMinted') {
        const { keyId, ...row } = keyListRowOf(event);
        const doc = { ...row, retiresAt: null, createdPosition: p, lastPosition: p };
        ops.push({ updateOne: { filter: { _id: keyId }, update: { $setOnInsert: doc }, upsert: true } });
      } else if (event.type === 'KeyUsed') {
        const { keyId, at } = event.data;
        const seen = lastUse.get(keyId);
        if (seen === undefined || at > seen) lastUse.set(keyId, at);
      } else {
        ops.push(...perKeyUpdates<KeysListDoc>(event, p, FIELDS));
      }
    }
    // $max compares in BSON order, where null sorts before any string.
    for (const [keyId, at] of lastUse) ops.push({ updateOne: { filter: { _id: keyId }, update: { $max: { lastUsedAt: at } } } });
    if (ops.length > 0) await db.collection<KeysListDoc>(this.name).bulkWrite(ops, { session, ordered: true });
  }
}
