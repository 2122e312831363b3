import type { AnyBulkWriteOperation, ClientSession, Db } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import type { KeyEvent } from '#keys';
import { ensureCollection, versioned, type MongoProjection } from '../runner/mongo-projection.js';
import { statusUpdate, type VersionedKeyDoc } from '../key-status/key-status.mongo.js';

export const keysListCollection = (version = 1): string => versioned('keys_list', version);

/** One document per key; _id is the key id. */
export interface KeysListDoc extends VersionedKeyDoc {
  companyId: string;
  userId: string;
  userName: string;
  label: string;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  /** Position of the KeyMinted: "newest first" sorts on it. */
  createdPosition: number;
}

/**
 * The settings page's keys list, as the SQLite keys_list_v1: deleted keys keep their document marked
 * 'deleted' (the queries skip them) so that a replayed KeyMinted, a $setOnInsert, cannot bring them back.
 */
export class MongoKeysListProjection implements MongoProjection {
  readonly name: string;
  readonly eventTypes = ['KeyMinted', 'KeyRevoked', 'KeyExpired', 'KeyDeleted', 'KeyUsed'] as const;
  readonly collections: readonly string[];

  constructor(version = 1) {
    this.name = keysListCollection(version);
    this.collections = [this.name];
  }

  async init(db: Db): Promise<void> {
    await ensureCollection(db, this.name);
    await db.collection(this.name).createIndexes([
      // list(company), newest first; get(company, key) goes by _id.
      { key: { companyId: 1, createdPosition: -1 }, name: 'by_company' },
      // list(company, user), newest first.
      { key: { companyId: 1, userId: 1, createdPosition: -1 }, name: 'by_user' },
      // lapsed(now): active keys by expiry.
      { key: { status: 1, expiresAt: 1 }, name: 'by_expiry' },
    ]);
  }

  async apply(db: Db, events: readonly RecordedEvent[], session: ClientSession): Promise<void> {
    const ops: AnyBulkWriteOperation<KeysListDoc>[] = [];
    // Uses are most of the log: one $max per key and batch, after the batch's mints so a key minted and used
    // in the same batch gets its use.
    const lastUse = new Map<string, string>();
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
                companyId: d.companyId, userId: d.actorUserId, userName: d.actorName, label: d.label, prefix: d.prefix,
                createdAt: d.at, expiresAt: d.expiresAt, lastUsedAt: null, status: 'active', createdPosition: p, lastPosition: p,
              },
            },
            upsert: true,
          },
        });
      } else if (event.type === 'KeyUsed') {
        const { keyId, at } = event.data;
        const seen = lastUse.get(keyId);
        if (seen === undefined || at > seen) lastUse.set(keyId, at);
      } else {
        const op = statusUpdate<KeysListDoc>(event, p);
        if (op) ops.push(op);
      }
    }
    // $max compares in BSON order, where null sorts before any string; ISO 8601 UTC strings of one format sort
    // like the instants they name. A replayed or out-of-order use cannot move lastUsedAt back.
    for (const [keyId, at] of lastUse) ops.push({ updateOne: { filter: { _id: keyId }, update: { $max: { lastUsedAt: at } } } });
    if (ops.length > 0) await db.collection<KeysListDoc>(this.name).bulkWrite(ops, { session, ordered: true });
  }
}
