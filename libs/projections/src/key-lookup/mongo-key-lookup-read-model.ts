import type { Collection, Db, WithId } from 'mongodb';
import type { KeyLookupEntry, KeyLookupReadModel, PositionedKeyLookupEntry } from './key-lookup-read-model.js';
import { MONGO_READ_MODEL_VERSION } from '../runner/mongo-read-model-version.js';
import { keyLookupCollection, type KeyLookupDoc } from './key-lookup.projection.mongo.js';

const toEntry = ({ _id, lastPosition, ...rest }: WithId<KeyLookupDoc>): KeyLookupEntry => ({ keyId: _id, ...rest });

/** The guard's lookup table on MongoDB: all() seeds an API replica's in-memory hot table at start. */
export class MongoKeyLookupReadModel implements KeyLookupReadModel {
  private readonly collection: Collection<KeyLookupDoc>;

  constructor(db: Db, version = MONGO_READ_MODEL_VERSION) {
    this.collection = db.collection<KeyLookupDoc>(keyLookupCollection(version));
  }

  async get(keyId: string): Promise<KeyLookupEntry | null> {
    const doc = await this.collection.findOne({ _id: keyId });
    return doc ? toEntry(doc) : null;
  }

  async all(): Promise<KeyLookupEntry[]> {
    return (await this.collection.find({}, { sort: { _id: 1 } }).toArray()).map(toEntry);
  }

  async liveSince(checkpoint: number, now: Date): Promise<PositionedKeyLookupEntry[]> {
    const docs = await this.collection
      .find({ $or: [{ status: { $in: ['active', 'suspended'] }, expiresAt: { $gt: now.toISOString() } }, { lastPosition: { $gt: checkpoint } }] })
      .toArray();
    return docs.map((doc) => ({ ...toEntry(doc), position: doc.lastPosition }));
  }
}
