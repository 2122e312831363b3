import type { SqliteDb, SqliteEventStore } from '#event-store';
import { ActivityFeedProjection } from './activity-feed/activity-feed.projection.sqlite.js';
import { SqliteActivityReadModel } from './activity-feed/sqlite-activity-read-model.js';
import { KeyLookupProjection } from './key-lookup/key-lookup.projection.sqlite.js';
import { SqliteKeyLookupReadModel } from './key-lookup/sqlite-key-lookup-read-model.js';
import { KeysListProjection } from './keys-list/keys-list.projection.sqlite.js';
import { SqliteKeysReadModel } from './keys-list/sqlite-keys-read-model.js';
import { SqliteProjectionRunner, type SqliteProjectionRunnerOptions } from './runner/sqlite-projection-runner.js';

/** The embedded profile's projections, not yet attached to a file (constructing one touches nothing). */
export const embeddedProjections = () => [new KeysListProjection(), new ActivityFeedProjection(), new KeyLookupProjection()];

/** The three projections and their read models on the embedded profile's SQLite file. */
export const embeddedReadSide = (db: SqliteDb, store: SqliteEventStore, options: SqliteProjectionRunnerOptions = {}) => {
  const runner = new SqliteProjectionRunner(db, store, embeddedProjections(), options);
  return {
    runner,
    keys: new SqliteKeysReadModel(db),
    activity: new SqliteActivityReadModel(db),
    lookup: new SqliteKeyLookupReadModel(db),
  };
};
