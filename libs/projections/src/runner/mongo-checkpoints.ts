import type { ClientSession, Collection, Db } from 'mongodb';
import { ensureCollection } from './mongo-projection.js';

export const MONGO_CHECKPOINTS_COLLECTION = 'projection_checkpoints';

interface CheckpointDoc {
  _id: string;
  position: number;
}

/** Each projection's position in the log (_id = projection name), written in the transaction of its batch. */
export class MongoCheckpoints {
  private readonly collection: Collection<CheckpointDoc>;

  constructor(private readonly db: Db) {
    this.collection = db.collection<CheckpointDoc>(MONGO_CHECKPOINTS_COLLECTION);
  }

  /**
   * Creates each missing checkpoint at 0, outside any transaction, so a batch's transaction only ever updates
   * it: two transactions inserting the same _id at once would conflict for no reason.
   */
  async init(names: readonly string[]): Promise<void> {
    await ensureCollection(this.db, MONGO_CHECKPOINTS_COLLECTION);
    if (names.length === 0) return;
    await this.collection.bulkWrite(
      names.map((name) => ({ updateOne: { filter: { _id: name }, update: { $setOnInsert: { position: 0 } }, upsert: true } })),
    );
  }

  async load(name: string): Promise<number> {
    return (await this.collection.findOne({ _id: name }))?.position ?? 0;
  }

  async loadAll(names: readonly string[]): Promise<Record<string, number>> {
    const found = await this.collection.find({ _id: { $in: [...names] } }).toArray();
    const byName = new Map(found.map((d) => [d._id, d.position]));
    return Object.fromEntries(names.map((n) => [n, byName.get(n) ?? 0]));
  }

  /**
   * Forward only: $max leaves a higher position in place, so a second projector that is behind (or a retried
   * batch) never moves it back. $max rather than a `position < new` filter on an upsert: when the filter
   * missed, the upsert would try to insert a second document with the same _id and fail.
   */
  async advance(name: string, position: number, session: ClientSession): Promise<void> {
    await this.collection.updateOne({ _id: name }, { $max: { position } }, { upsert: true, session });
  }

  /** The one way back: a rebuild from zero, after the projection's collections were dropped. */
  async rewind(name: string): Promise<void> {
    await this.collection.updateOne({ _id: name }, { $set: { position: 0 } }, { upsert: true });
  }
}
