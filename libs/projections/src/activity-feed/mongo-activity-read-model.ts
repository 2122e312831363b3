import type { Collection, Db, Filter } from 'mongodb';
import type { ActivityQuery, ActivityReadModel, ActivityRow } from './activity-read-model.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import { activityCollection, type ActivityDoc } from './activity-feed.projection.mongo.js';

const rowOf = (d: ActivityDoc): ActivityRow => {
  const row: ActivityRow = {
    position: d.position,
    id: typeof d._id === 'string' ? d._id : d.eventId!,
    at: d.at,
    type: d.type,
    keyId: d.keyId,
    keyLabel: d.keyLabel,
    actorUserId: d.actorUserId,
    actorName: d.actorName,
    detail: d.detail,
  };
  // A roll-up of uses (its _id is its bucket id): its machine-readable fields.
  if (typeof d._id !== 'string') return row;
  return {
    ...row, count: d.count!, firstAt: d.firstAt!, lastAt: d.lastAt!, outcomes: { ok: d.outcomes!.ok, error: d.outcomes!.error, denied: d.outcomes!.denied },
    tool: d.tool ?? null, client: { name: d.clientName ?? null, version: d.clientVersion ?? null },
  };
};

/** The activity feed on MongoDB: the company plus at most one more filter picks the index, newest first. */
export class MongoActivityReadModel implements ActivityReadModel {
  private readonly collection: Collection<ActivityDoc>;

  constructor(db: Db, version = MONGO_READ_MODEL_VERSION) {
    this.collection = db.collection<ActivityDoc>(activityCollection(version));
  }

  async query(q: ActivityQuery): Promise<ActivityRow[]> {
    // A limit of 0 means "no limit" to MongoDB, and "nothing" to SQL.
    if (q.limit <= 0) return [];
    const filter: Filter<ActivityDoc> = { companyId: q.companyId };
    if (q.visibleToOwner !== null) filter.keyOwnerUserId = q.visibleToOwner;
    if (q.keyId != null) filter.keyId = q.keyId;
    if (q.actorUserId != null) filter.actorUserId = q.actorUserId;
    if (q.before != null) filter.position = { $lt: q.before };
    const docs = await this.collection.find(filter, { sort: { position: -1 }, limit: q.limit }).toArray();
    return docs.map(rowOf);
  }
}
