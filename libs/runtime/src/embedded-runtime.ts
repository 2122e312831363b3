import { openSqlite, sqliteFileIn, SqliteEventStore, type SqliteDb } from '#event-store';
import { embeddedReadSide, KEY_LOOKUP_TABLE } from '#projections';
import type { KeygateConfig } from '#config';
import { systemClock } from './clock.js';
import { FollowerFailures, followerHooks, hooksFor } from './follower-failures.js';
import { freshActivity, freshKeys } from './fresh-reads.js';
import { followHotKeys, hotKeyStatus } from './hot-key-follower.js';
import { domainParts, PARKED_SHOWN, readModels, type KeygateRuntime, type RuntimeOverrides } from './keygate-runtime.js';

/**
 * The embedded profile: events, read models and checkpoints in one SQLite file, projections run in this
 * process. Two processes may share the file (each runs the idempotent projections and follows the log by
 * polling it): that is how the embedded profile scales to a second replica on one machine.
 */
export const createEmbeddedRuntime = (config: KeygateConfig, overrides: RuntimeOverrides = {}): KeygateRuntime => {
  const clock = overrides.clock ?? systemClock;
  const db: SqliteDb = openSqlite(sqliteFileIn(config.dataDir));
  // Appends (the log, the only thing a caller waits on being durable) commit in the store's writer thread, on a
  // connection of its own with synchronous=FULL, one fsync per group, while this thread goes on serving.
  const store = new SqliteEventStore(db, {
    pollIntervalMs: overrides.pollIntervalMs ?? config.sqlitePollIntervalMs,
    now: () => clock.now(),
    writer: 'worker',
  });
  // This connection writes only what the log can rebuild: read models, checkpoints and parks, committed together
  // by each projection pass. NORMAL (WAL): no fsync per pass; a pass lost to a power failure is applied again.
  db.pragma('synchronous = NORMAL');
  // WAL checkpoints (which fsync) are left to the writer thread's commits, never run on this thread.
  db.pragma('wal_autocheckpoint = 0');
  // Passes of uses only run at most every usagePassIntervalMs, folding the uses between them (issue 11); the API's
  // reads wait for the pass (freshKeys, freshActivity), commands for their own writes (readYourWrites).
  const read = embeddedReadSide(db, store, {
    onParked: overrides.onParked,
    coalesce: { types: ['KeyUsed'], ms: config.usagePassIntervalMs },
  });
  // Bring the read models up to date before serving, so the first request reads a current list.
  read.runner.catchUp();
  read.runner.start();

  const checkpoint = read.runner.checkpoints()[KEY_LOOKUP_TABLE] ?? 0;
  const failures = new FollowerFailures();
  const follower = followHotKeys(store, { checkpoint, entries: read.lookup.liveSinceSync(checkpoint, clock.now()), lookup: (id) => read.lookup.get(id) }, hooksFor(followerHooks(failures, overrides), 'hot_key_table'));
  const hotKeys = follower.hotKeys;

  return {
    ...domainParts(config, store, overrides),
    ...readModels({
      keys: freshKeys(read.keys, () => read.runner.fresh()),
      activity: freshActivity(read.activity, () => read.runner.fresh()),
      lookup: read.lookup,
    }),
    hotKeys,
    readSide: {
      async status() {
        const { projections, error } = read.runner.status();
        const lookupParked = new Set(read.runner.parked.listSync({ projection: KEY_LOOKUP_TABLE }).map((p) => p.position));
        const hot = await hotKeyStatus(store, follower, lookupParked);
        // Only this version's projections: what a retired one parked (activity_v1, keys_list_v1) is not reported, as
        // its successor was built from the whole log and parks under its own name what still fails.
        const current = read.runner.parked.listSync({ projections: read.runner.names, limit: PARKED_SHOWN });
        const parked = [...current, ...hot.parked].slice(0, PARKED_SHOWN);
        const writes = store.writeStatus();
        const storeError = writes.writable ? null : `the event store cannot write since ${writes.since}: ${writes.error}`;
        return { projections: [...projections, hot.status], error: error ?? failures.errorOf([hot.status]), parked, storeError };
      },
      waitFor: (position) => read.runner.waitFor(position),
    },
    async readYourWrites(position: number) {
      if (position === 0) return;
      await Promise.all([read.runner.waitFor(position), hotKeys.waitFor(position)]);
    },
    async close() {
      await follower.stop();
      await read.runner.stop();
      await store.close();
      db.close();
    },
  };
};
