import type { Collection, Db, Filter, WithId } from 'mongodb';
import { daysToMs } from '#keys';
import { LIVE_STATUSES } from '../key-status/key-status.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import type { KeyListPageRow, KeyListRow, KeyRef, KeysPageQuery, KeysReadModel } from './keys-read-model.js';
import { keysListCollection, type KeysListDoc } from './keys-list.projection.mongo.js';

// The queries skip 'deleted'.
const toRow = ({ _id, createdPosition, lastPosition, retiresAt, status, ...rest }: WithId<KeysListDoc>): KeyListRow => ({
  keyId: _id,
  ...rest,
  status: status as KeyListRow['status'],
});

const LIVE = { $in: [...LIVE_STATUSES] };

/**
 * The effective status filters (effectiveStatus of #keys) at `now`: a live key whose rotation revokes it
 * (retiresAt, set only when its overlap ends before its expiry) at or before now reads revoked; else one past
 * its expiry reads expired. `$not: {$lte}` also matches a null retiresAt.
 */
const statusFilter = (status: KeysPageQuery['status'], now: string): Filter<KeysListDoc> => {
  const working = { expiresAt: { $gt: now }, retiresAt: { $not: { $lte: now } } };
  switch (status) {
    case 'active':
    case 'suspended':
      return { status, ...working };
    case 'revoked':
      return { $or: [{ status: 'revoked' }, { status: LIVE, retiresAt: { $lte: now } }] };
    case 'expired':
      return { $or: [{ status: 'expired' }, { status: LIVE, expiresAt: { $lte: now }, retiresAt: { $not: { $lte: now } } }] };
    default:
      return { status: { $ne: 'deleted' } };
  }
};

/** The keys list on MongoDB; each query has its index (see MongoKeysListProjection.init). */
export class MongoKeysReadModel implements KeysReadModel {
  private readonly collection: Collection<KeysListDoc>;

  constructor(db: Db, version = MONGO_READ_MODEL_VERSION) {
    this.collection = db.collection<KeysListDoc>(keysListCollection(version));
  }

  async list(companyId: string, userId: string | null): Promise<KeyListRow[]> {
    const filter = userId === null ? { companyId } : { companyId, userId };
    const docs = await this.collection.find({ ...filter, status: { $ne: 'deleted' } }, { sort: { createdPosition: -1 } }).toArray();
    return docs.map(toRow);
  }

  async page(q: KeysPageQuery): Promise<KeyListPageRow[]> {
    if (q.limit <= 0) return [];
    const users = [q.visibleToOwner, q.userId].filter((u): u is string => typeof u === 'string');
    // Both given and different: nothing is visible (a plain user filtering on a colleague).
    if (new Set(users).size > 1) return [];
    const docs = await this.collection
      .find(
        {
          companyId: q.companyId,
          ...(users.length ? { userId: users[0] } : {}),
          ...(q.before !== undefined ? { createdPosition: { $lt: q.before } } : {}),
          ...statusFilter(q.status, q.now.toISOString()),
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

  async lapsed(now: Date, limit: number): Promise<KeyRef[]> {
    return this.refs({ status: LIVE, expiresAt: { $lte: now.toISOString() } }, 'expiresAt', limit);
  }

  async overlapsEnded(now: Date, limit: number): Promise<KeyRef[]> {
    return this.refs({ status: LIVE, retiresAt: { $lte: now.toISOString() } }, 'retiresAt', limit);
  }

  async expiryWarningsDue(now: Date, days: number, limit: number): Promise<KeyRef[]> {
    const horizon = new Date(now.getTime() + daysToMs(days)).toISOString();
    return this.refs(
      {
        status: LIVE,
        expiresAt: { $gt: now.toISOString(), $lte: horizon },
        overlapEndsAt: null,
        $or: [{ expiryWarnedDaysBefore: null }, { expiryWarnedDaysBefore: { $gt: days } }],
      },
      'expiresAt',
      limit,
    );
  }

  private async refs(filter: Filter<KeysListDoc>, sortBy: 'expiresAt' | 'retiresAt', limit: number): Promise<KeyRef[]> {
    // A limit of 0 means "no limit" to MongoDB, and "nothing" to SQL.
    if (limit <= 0) return [];
    const docs = await this.collection.find(filter, { sort: { [sortBy]: 1 }, limit, projection: { companyId: 1 } }).toArray();
    return docs.map((d) => ({ companyId: d.companyId, keyId: d._id }));
  }
}
