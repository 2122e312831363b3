import type { Db, MongoClient } from 'mongodb';
import type { EventStore } from '#event-store';
import { MongoActivityReadModel } from './activity-feed/mongo-activity-read-model.js';
import { MongoKeyLookupReadModel } from './key-lookup/mongo-key-lookup-read-model.js';
import { MongoKeysReadModel } from './keys-list/mongo-keys-read-model.js';
import { defaultMongoProjections, MongoProjectionRunner, type MongoProjectionRunnerOptions } from './runner/mongo-projection-runner.js';
import { checkMongoReadModelVersion, MONGO_READ_MODEL_VERSION } from './runner/mongo-read-model-version.js';

/**
 * The production profile's read side: the three projections (MONGO_READ_MODEL_VERSION or higher) and their read models on one database.
 * Call runner.init() before use; only the projector process calls runner.start().
 */
export const mongoReadSide = (
  client: MongoClient,
  db: Db,
  store: EventStore,
  options: MongoProjectionRunnerOptions & { version?: number } = {},
) => {
  // One version for the whole read side: a blue/green rebuild builds every collection of v(n+1) beside vn.
  const version = checkMongoReadModelVersion(options.version ?? MONGO_READ_MODEL_VERSION);
  return {
    runner: new MongoProjectionRunner(client, db, store, defaultMongoProjections(version), options),
    keys: new MongoKeysReadModel(db, version),
    activity: new MongoActivityReadModel(db, version),
    lookup: new MongoKeyLookupReadModel(db, version),
  };
};
