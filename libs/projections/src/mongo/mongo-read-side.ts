import type { Db, MongoClient } from 'mongodb';
import type { EventStore } from '../../../event-store/src/index.js';
import { MongoActivityReadModel } from './mongo-activity-read-model.js';
import { MongoKeyLookupReadModel } from './mongo-key-lookup-read-model.js';
import { MongoKeysReadModel } from './mongo-keys-read-model.js';
import { MongoProjectionRunner, type MongoProjectionRunnerOptions } from './mongo-projection-runner.js';

/**
 * The production profile's read side: the three v1 projections and their read models on one database.
 * Call runner.init() before use; only the projector process calls runner.start().
 */
export const mongoReadSide = (client: MongoClient, db: Db, store: EventStore, options?: MongoProjectionRunnerOptions) => ({
  runner: new MongoProjectionRunner(client, db, store, undefined, options),
  keys: new MongoKeysReadModel(db),
  activity: new MongoActivityReadModel(db),
  lookup: new MongoKeyLookupReadModel(db),
});
