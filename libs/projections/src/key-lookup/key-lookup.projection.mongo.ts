import type { AnyBulkWriteOperation, ClientSession, Db } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import type { KeyEvent } from '#keys';
import { ensureCollection, versioned, type MongoProjection } from '../runner/mongo-projection.js';
import { statusUpdate, type VersionedKeyDoc } from '../key-status/key-status.mongo.js';

export const keyLookupCollection = (version = 1): string => versioned('key_lookup', version);

/** What the MCP guard needs for one key id (the _id): owner, status, expiry, verifier, permission snapshot. */
export interface KeyLookupDoc extends VersionedKeyDoc {
  companyId: string;
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: string[];
  verifier: string;
  expiresAt: string;
}

/** The guard's lookup table, as the SQLite key_lookup_v1; deleted keys stay, marked 'deleted'. */
export class MongoKeyLookupProjection implements MongoProjection {
  readonly name: string;
  readonly eventTypes = ['KeyMinted', 'KeyRevoked', 'KeyExpired', 'KeyDeleted'] as const;
  readonly collections: readonly string[];

  constructor(version = 1) {
    this.name = keyLookupCollection(version);
    this.collections = [this.name];
  }

  async init(db: Db): Promise<void> {
    // get(keyId) and all() go by _id: no other index.
    await ensureCollection(db, this.name);
  }

  async apply(db: Db, events: readonly RecordedEvent[], session: ClientSession): Promise<void> {
    const ops: AnyBulkWriteOperation<KeyLookupDoc>[] = [];
    for (const recorded of events) {
      const event = { type: recorded.type, data: recorded.data } as KeyEvent;
      const p = recorded.globalPosition;
      if (event.type === 'KeyMinted') {
        const d = event.data;
        ops.push({
          updateOne: {
            filter: { _id: d.keyId },
            update: {
              $setOnInsert: {
                companyId: d.companyId, userId: d.actorUserId, userName: d.actorName, creatorRole: d.creatorRole,
                permissions: d.permissions, verifier: d.verifier, status: 'active', expiresAt: d.expiresAt, lastPosition: p,
              },
            },
            upsert: true,
          },
        });
      } else {
        const op = statusUpdate<KeyLookupDoc>(event, p);
        if (op) ops.push(op);
      }
    }
    if (ops.length > 0) await db.collection<KeyLookupDoc>(this.name).bulkWrite(ops, { session, ordered: true });
  }
}
