import type { ClientSession, Collection, Db } from 'mongodb';
import type { ParkedEvent, ParkedEvents } from './parked-event.js';
import { ensureCollection } from '../runner/mongo-projection.js';

export const MONGO_PARKED_COLLECTION = 'projection_parked';

interface ParkedDoc extends Omit<ParkedEvent, 'projection'> {
  /** `${projection}@${position}`: parked twice (a rebuild, a second projector) is one document. */
  _id: string;
  projection: string;
}

/** The parked list on the production profile; a park is written in the transaction that moves the checkpoint past it. */
export class MongoParkedEvents implements ParkedEvents {
  private readonly collection: Collection<ParkedDoc>;

  constructor(private readonly db: Db) {
    this.collection = db.collection<ParkedDoc>(MONGO_PARKED_COLLECTION);
  }

  async init(): Promise<void> {
    await ensureCollection(this.db, MONGO_PARKED_COLLECTION);
    await this.collection.createIndexes([{ key: { status: 1, projection: 1, position: 1 }, name: 'by_status' }]);
  }

  async park(entries: readonly ParkedEvent[], session: ClientSession): Promise<void> {
    if (entries.length === 0) return;
    await this.collection.bulkWrite(
      entries.map(({ error, status, ...rest }) => ({
        updateOne: {
          filter: { _id: `${rest.projection}@${rest.position}` },
          // The newest reason; a skip stays a skip.
          update: { $set: { error }, $setOnInsert: { ...rest, status } },
          upsert: true,
        },
      })),
      { session, ordered: true },
    );
  }

  /** Before a retry: the rebuild parks again whatever still fails. */
  async forgetParked(projection: string): Promise<void> {
    await this.collection.deleteMany({ projection, status: 'parked' });
  }

  async list({ projection, includeSkipped = false, limit = 1000 }: { projection?: string; includeSkipped?: boolean; limit?: number } = {}) {
    const filter = { ...(includeSkipped ? {} : { status: 'parked' as const }), ...(projection ? { projection } : {}) };
    const docs = await this.collection.find(filter).sort({ position: 1, projection: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...entry }) => entry as ParkedEvent);
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.collection
      .aggregate<{ _id: string; n: number }>([{ $match: { status: 'parked' } }, { $group: { _id: '$projection', n: { $sum: 1 } } }])
      .toArray();
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  async skip(projection: string, positions?: readonly number[]): Promise<number> {
    const filter = { projection, status: 'parked' as const, ...(positions ? { position: { $in: [...positions] } } : {}) };
    return (await this.collection.updateMany(filter, { $set: { status: 'skipped' } })).modifiedCount;
  }
}
