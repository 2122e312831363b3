import type { Collection, Db, Filter, WithId } from 'mongodb';
import type { KeyListPageRow, KeyListRow, KeysPageQuery, KeysReadModel } from './keys-read-model.js';
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

  async page(q: KeysPageQuery): Promise<KeyListPageRow[]> {
    if (q.limit <= 0) return [];
    const now = q.now.toISOString();
    // The status filter is the effective one (key-status rules): stored active past its expiry reads expired.
    const status: Filter<KeysListDoc> =
      q.status === 'revoked'
        ? { status: 'revoked' }
        : q.status === 'active'
          ? { status: 'active', expiresAt: { $gt: now } }
          : q.status === 'expired'
            ? { $or: [{ status: 'expired' }, { status: 'active', expiresAt: { $lte: now } }] }
            : { status: { $ne: 'deleted' } };
    const users = [q.visibleToOwner, q.userId].filter((u): u is string => typeof u === 'string');
    // Both given and different: nothing is visible (a plain user filtering on a colleague).
    if (new Set(users).size > 1) return [];
    const docs = await this.collection
      .find(
        {
          companyId: q.companyId,
          ...(users.length ? { userId: users[0] } : {}),
          ...(q.before !== undefined ? { createdPosition: { $lt: q.before } } : {}),
          ...status,
        },
        { sort: { createdPosition: -1 }, limit: q.limit },
      )
      .toArray();
    return docs.map((d) => ({ ...toRow(d), position: d.createdPosition }));
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
