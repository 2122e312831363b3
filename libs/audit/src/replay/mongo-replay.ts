import { BSON, MongoClient, MongoServerError, type ClientSession, type Db, type Document, type TransactionOptions } from 'mongodb';
import type { EventStore } from '#event-store';
import { StartupError, withoutCredentials } from '#config';
import { schemaProblemOf } from '#projections';
import { defaultMongoProjections, isMongoStoreFailure, MONGO_CHECKPOINTS_COLLECTION, type MongoProjection } from '#projections/mongo';
import { compareOrdered, type Row } from './ordered-diff.js';
import { REPLAY_MAX_SHOWN_DEFAULT, totalReplayDifferences, type MongoReplayOptions, type ProjectionReplay, type ReplayReport } from './replay-report.js';

export type { MongoReplayOptions } from './replay-report.js';

/** Events read from the log at a time. */
const BATCH = 1000;
/** MongoDB's SnapshotTooOld: the snapshot fell out of the server's history window (minSnapshotHistoryWindowInSeconds). */
const SNAPSHOT_TOO_OLD = 239;
/** As the projection runner's: the activity feed reads and writes one state; what it writes is majority-committed. */
const TRANSACTION: TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' };

/** A value in one canonical text: plain objects with their fields sorted (field order depends on update history). */
const canonical = (value: unknown): string => BSON.EJSON.stringify(sortedFields(value) as Document);
const sortedFields = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedFields);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedFields((value as Record<string, unknown>)[k])]));
  }
  return value;
};
const sameBsonValue = (a: unknown, b: unknown): boolean => a === b || canonical({ v: a }) === canonical({ v: b });

const scratchNameFor = (database: string): string =>
  // MongoDB database names are at most 63 bytes here (config checks MONGODB_DATABASE): room for the suffix.
  `${database.slice(0, 40)}_replay_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;

/**
 * Its own entry point, never imported by this folder's index.ts: #audit is loaded by the embedded runtime, which
 * must not reach the mongodb driver (test/architecture: embedded-profile-never-loads-production-drivers), even
 * through a dynamic import. The CLI reaches it through a package.json "imports" entry of its own (#audit/mongo).
 *
 * The production profile's replay (UNTESTED here: no MongoDB replica set in this repository's test runs). The
 * same as replayEmbedded, on MongoDB:
 * 1. The live checkpoints are read in a snapshot session (a read at one cluster time), and later the live
 *    collections in the same session, so the projector moving them on meanwhile changes nothing. The server
 *    keeps a snapshot for minSnapshotHistoryWindowInSeconds (300 s by default): a longer replay fails with a
 *    message saying so, never with false differences.
 * 2. Each projection is replayed into a scratch database on the same MongoDB, from the log, up to exactly its live
 *    checkpoint: events of its types, batch by batch, each batch in a transaction as the projector's runner does;
 *    an event that does not fit its schema, or throws for a reason of its own, is left out (parked, counted).
 *    Not through MongoProjectionRunner: it only follows the log to its end, live; the projections' apply() is
 *    the same code either way.
 * 3. Every collection of each projection is compared with the live one, sorted by _id, field by field. The
 *    checkpoints and parked events are not compared (see replayEmbedded).
 * 4. The scratch database is dropped, whatever happened.
 */
export const replayMongo = async (options: MongoReplayOptions): Promise<ReplayReport> => {
  const maxShown = options.maxShown ?? REPLAY_MAX_SHOWN_DEFAULT;
  const client = await new MongoClient(options.url, { serverSelectionTimeoutMS: 10_000 }).connect().catch((error: Error) => {
    throw new StartupError(`MongoDB at ${withoutCredentials(options.url)} (MONGODB_URL) did not answer: ${error.message.split('\n')[0]}`, 69);
  });
  const session = client.startSession({ snapshot: true });
  const scratchName = options.scratchDatabase ?? scratchNameFor(options.database);
  if (scratchName === options.database) throw new Error('the scratch database must not be the live one');
  const scratch = client.db(scratchName);
  try {
    const live = client.db(options.database);
    // 1.
    const checkpoints = await live
      .collection<{ _id: string; position: number }>(MONGO_CHECKPOINTS_COLLECTION)
      .find({}, { session })
      .toArray();
    const positionOf = (name: string) => checkpoints.find((c) => c._id === name)?.position ?? 0;
    const projections: ProjectionReplay[] = [];
    for (const projection of defaultMongoProjections(options.version)) {
      // 2.
      await projection.init(scratch);
      const position = positionOf(projection.name);
      const parkedInReplay = await replayInto(client, scratch, projection, options.store, position);
      // 3.
      const tables = [];
      for (const name of projection.collections) tables.push(await compareCollection(live, scratch, name, session, maxShown));
      projections.push({ projection: projection.name, position, parkedInReplay, tables });
    }
    return { profile: 'production', projections, differences: totalReplayDifferences(projections), notes: [] };
  } catch (error) {
    if (error instanceof MongoServerError && error.code === SNAPSHOT_TOO_OLD) {
      throw new Error(
        'the replay took longer than MongoDB keeps a snapshot (minSnapshotHistoryWindowInSeconds); raise it on the ' +
          `server for the run, or replay when the projector is stopped. (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    // 4.
    await scratch.dropDatabase().catch(() => undefined);
    await session.endSession();
    await client.close();
  }
};

/** Applies the projection's events up to `upTo` (inclusive) to the scratch database; returns how many it left out. */
const replayInto = async (client: MongoClient, db: Db, projection: MongoProjection, store: EventStore, upTo: number): Promise<number> => {
  let parked = 0;
  const inTransaction = (work: (session: ClientSession) => Promise<void>) =>
    client.withSession((session) => session.withTransaction(() => work(session), TRANSACTION));
  for (let after = 0; after < upTo; ) {
    const read = await store.readAll({ after, maxCount: BATCH, eventTypes: projection.eventTypes });
    const events = read.filter((e) => e.globalPosition <= upTo);
    if (events.length === 0) break;
    const good = events.filter((e) => schemaProblemOf(e) === null);
    parked += events.length - good.length;
    try {
      if (good.length > 0) await inTransaction((session) => projection.apply(good, { db, session }));
    } catch (error) {
      if (isMongoStoreFailure(error)) throw error;
      // As the runner: the batch rolled back, applied again one event a transaction, the failing one left out.
      for (const event of good) {
        try {
          await inTransaction((session) => projection.apply([event], { db, session }));
        } catch (eventError) {
          if (isMongoStoreFailure(eventError)) throw eventError;
          parked++;
        }
      }
    }
    after = events[events.length - 1].globalPosition;
    if (read.length < BATCH) break;
  }
  return parked;
};

const compareCollection = async (live: Db, scratch: Db, name: string, session: ClientSession, maxShown: number) => {
  // listCollections is not a snapshot read: asked outside the session.
  const exists = (await live.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
  const fieldsOf = (a: Row, b: Row) => [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((f) => f !== '_id').sort();
  return compareOrdered({
    table: name,
    live: live.collection(name).find({}, { session }).sort({ _id: 1 }) as AsyncIterable<Row>,
    replayed: scratch.collection(name).find({}).sort({ _id: 1 }) as AsyncIterable<Row>,
    keyColumns: ['_id'],
    columnsOf: fieldsOf,
    same: sameBsonValue,
    maxShown,
    schema: exists ? [] : ['collection missing in live'],
  });
};
