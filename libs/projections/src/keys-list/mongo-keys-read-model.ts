import type { Collection, Db, WithId } from 'mongodb';
import type { KeyListRow, KeysReadModel } from './keys-read-model.js';
import { keysListCollection, type KeysListDoc } from './keys-list.projection.mongo.js';

// The queries skip 'deleted'.
const toRow = ({ _id, createdPosition, lastPosition, status, ...rest }: WithId<KeysListDoc>): KeyListRow => ({
  keyId: _id,
  ...rest,
  status: status as KeyListRow['status'],
});

/** The keys list on MongoDB; each query has its index (see MongoKeysListProjection.init). */
export class MongoKeysReadModel implements KeysReadModel {
  private readonly collection: Collection<KeysListDoc>;

  constructor(db: Db, version = 1) {
    this.collection = db.collection<KeysListDoc>(keysListCollection(version));
  }

  async list(companyId: string, userId: string | null): Promise<KeyListRow[]> {
    const filter = userId === null ? { companyId } : { companyId, userId };
    const docs = await this.collection.find({ ...filter, status: { $ne: 'deleted' } }, { sort: { createdPosition: -1 } }).toArray();
    return docs.map(toRow);
  }

  async get(companyId: string, keyId: string): Promise<KeyListRow | null> {
    // By _id; the company must match too, so one company never reads another's key.
    const doc = await this.collection.findOne({ _id: keyId, companyId, status: { $ne: 'deleted' } });
    return doc ? toRow(doc) : null;
  }

  async lapsed(now: Date, limit: number): Promise<{ companyId: string; keyId: string }[]> {
    // A limit of 0 means "no limit" to MongoDB, and "nothing" to SQL.
    if (limit <= 0) return [];
    const docs = await this.collection
      .find({ status: 'active', expiresAt: { $lte: now.toISOString() } }, { sort: { expiresAt: 1 }, limit, projection: { companyId: 1 } })
      .toArray();
    return docs.map((d) => ({ companyId: d.companyId, keyId: d._id }));
  }
}
