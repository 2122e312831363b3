import { MongoServerError, type ClientSession, type Db, type IndexDescription } from 'mongodb';
import type { RecordedEvent } from '#event-store';
import type { Projection } from '../projection.js';

/** A MongoDB projection's transaction: the batch, its parks and its checkpoint commit together. */
export interface MongoTx {
  db: Db;
  session: ClientSession;
}

/**
 * One read model on MongoDB (see Projection). The name and the collections carry a version (keys_list_v1): a
 * v2 is built in new collections beside v1, and the read side switches once it has caught up (blue/green).
 */
export interface MongoProjection extends Projection<MongoTx, Db, Promise<void>> {
  /** Every collection it writes: reset() drops them all. */
  readonly collections: readonly string[];
}

const NAMESPACE_EXISTS = 48;

/**
 * Collections are made in init(), outside any transaction, with their indexes: a transaction may create one
 * only in some deployments (never in a cross-shard write), and the first query needs the indexes anyway.
 */
export const ensureCollection = async (db: Db, name: string): Promise<void> => {
  try {
    await db.createCollection(name);
  } catch (error) {
    if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
  }
};

export const versioned = (base: string, version: number): string => `${base}_v${version}`;

/**
 * What every MongoDB projection does the same way: its versioned collections (the first one names it), made
 * with their indexes by init(); reset() drops them and makes them again, empty.
 */
export abstract class MongoCollectionsProjection implements MongoProjection {
  readonly name: string;
  readonly collections: readonly string[];
  abstract readonly eventTypes: readonly string[];
  private readonly indexes: (IndexDescription[] | undefined)[];

  /** `collections`: base name → the index of every query the read model makes of it (none: by _id only). */
  protected constructor(version: number, collections: Record<string, IndexDescription[] | undefined>) {
    this.collections = Object.keys(collections).map((base) => versioned(base, version));
    this.indexes = Object.values(collections);
    this.name = this.collections[0];
  }

  async init(db: Db): Promise<void> {
    for (const [i, name] of this.collections.entries()) {
      await ensureCollection(db, name);
      const indexes = this.indexes[i];
      if (indexes?.length) await db.collection(name).createIndexes(indexes);
    }
  }

  async reset(db: Db): Promise<void> {
    for (const name of this.collections) await db.dropCollection(name);
    await this.init(db);
  }

  abstract apply(events: readonly RecordedEvent[], tx: MongoTx): Promise<void>;
}
