import { MongoClient } from 'mongodb';
// Their own entry points: the embedded profile never loads the KurrentDB client or the mongodb driver.
import { KurrentEventStore } from '#event-store/kurrent';
import { HotKeyTable } from '#keys';
import {
  activityCollection,
  keyLookupCollection,
  keysListCollection,
  mongoReadSide,
} from '#projections/mongo';
import type { ProjectionStatus } from '#projections';
import type { KeygateConfig } from '#config';
import { FollowerFailures, followerHooks, hooksFor } from './follower-failures.js';
import { followHotKeys, hotKeyStatus } from './hot-key-follower.js';
import { domainParts, PARKED_SHOWN, readModels, type KeygateRuntime, type RuntimeOverrides } from './keygate-runtime.js';

// A revoke is durable and enforced by this replica's guard before its answer waits for the read models; if
// the projector is down, the answer is not held hostage: after this long it goes out with what the list shows.
const READ_BACK_TIMEOUT_MS = 3000;

export type ProductionRole = 'api' | 'projector';

/**
 * The production profile: events in KurrentDB, read models in MongoDB.
 * - role 'api': a stateless replica. It runs no projection; it reads the projector's read models and keeps
 *   its own hot key table, seeded from the lookup collection and fed by its own server-filtered
 *   subscription to the lifecycle events.
 * - role 'projector': runs the projections (and, in apps/projector, the expiry sweeper); no hot table.
 */
export const createProductionRuntime = async (
  config: KeygateConfig,
  role: ProductionRole,
  overrides: RuntimeOverrides = {},
): Promise<KeygateRuntime & { mongo: MongoClient }> => {
  const store = new KurrentEventStore(config.kurrentdbUrl!);
  const mongo = new MongoClient(config.mongodbUrl!);
  await mongo.connect();
  const db = mongo.db(config.mongodbDatabase);
  const version = config.readModelVersion;
  // What a command's answer reads back: the keys list and the activity feed (both consume every lifecycle event).
  const readBackFrom = [keysListCollection(version), activityCollection(version)];
  const failures = new FollowerFailures();
  const hooks = followerHooks(failures, overrides);
  const read = mongoReadSide(mongo, db, store, { version, ...hooks });

  // 1. The projector owns the collections: it creates them and their indexes, then follows the log.
  if (role === 'projector') {
    await read.runner.init();
    read.runner.start();
  }

  // 2. An API replica's hot table. The projector authenticates nothing: it gets an empty one that follows nothing.
  const checkpoint = role === 'api' ? ((await read.runner.checkpoints())[keyLookupCollection(version)] ?? 0) : 0;
  const follower =
    role === 'api'
      ? followHotKeys(store, { checkpoint, entries: await read.lookup.all() }, hooksFor(hooks, 'hot_key_table'))
      : null;
  const hotKeys = follower?.hotKeys ?? new HotKeyTable();

  const readBack = (position: number) =>
    role === 'projector'
      ? read.runner.waitFor(position, readBackFrom)
      : read.runner.waitFor(position, readBackFrom, READ_BACK_TIMEOUT_MS).catch(() => undefined);

  return {
    ...domainParts(config, store, overrides),
    ...readModels(read),
    hotKeys,
    mongo,
    readSide: {
      async status() {
        // Each projection against the newest event of its own types: its checkpoint moves on nothing else.
        const [checkpoints, parkedCounts] = await Promise.all([read.runner.checkpoints(), read.runner.parked.counts()]);
        const projections: ProjectionStatus[] = await Promise.all(
          read.runner.projections.map(async ({ name, eventTypes }) => {
            const [head, at] = [await store.headPosition(eventTypes), checkpoints[name] ?? 0];
            return { name, checkpoint: at, head, lag: Math.max(0, head - at), parked: parkedCounts[name] ?? 0 };
          }),
        );
        const lookupParked = new Set((await read.runner.parked.list({ projection: keyLookupCollection(version) })).map((p) => p.position));
        const hot = follower ? await hotKeyStatus(store, follower, lookupParked) : null;
        if (hot) projections.push(hot.status);
        const parked = [...(await read.runner.parked.list({ limit: PARKED_SHOWN })), ...(hot?.parked ?? [])].slice(0, PARKED_SHOWN);
        return { projections, error: failures.errorOf(projections), parked };
      },
      // A checkpoint moves only on its projection's types, so `position` (say, a KeyUsed's) may be one it never
      // reaches: each waits for the newest event of its types up to `position`.
      waitFor: async (position) => {
        await Promise.all(
          read.runner.projections.map(async ({ name, eventTypes }) =>
            read.runner.waitFor(Math.min(position, await store.headPosition(eventTypes)), [name]),
          ),
        );
      },
    },
    async readYourWrites(position: number) {
      if (position === 0) return;
      await Promise.all([follower ? hotKeys.waitFor(position) : undefined, readBack(position)]);
    },
    async close() {
      await follower?.stop();
      await read.runner.stop();
      await store.close();
      await mongo.close();
    },
  };
};
