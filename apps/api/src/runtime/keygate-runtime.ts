import { openSqlite, sqliteFileIn, SqliteEventStore, type EventStore, type SqliteDb } from '../../../../libs/event-store/src/index.js';
import {
  HotKeyTable,
  KEY_LIFECYCLE_EVENT_TYPES,
  KeyringRepository,
  type KeyLifecycleEvent,
  type KeyPolicy,
  type SecretHasher,
} from '../../../../libs/keys/src/index.js';
import { Argon2SecretHasher } from '../../../../libs/keys/src/token/argon2-secret-hasher.js';
import {
  embeddedReadSide,
  type ActivityReadModel,
  type KeyLookupReadModel,
  type KeysReadModel,
  type SqliteProjectionRunner,
} from '../../../../libs/projections/src/index.js';
import type { KeygateConfig } from '../config/keygate-config.js';
import { systemClock, type Clock } from './clock.js';

/**
 * Everything the HTTP layer needs from the stores, behind ports. The embedded profile builds it on one
 * SQLite file; the production profile (KurrentDB + MongoDB) will build the same shape.
 */
export interface KeygateRuntime {
  config: KeygateConfig;
  clock: Clock;
  policy: KeyPolicy;
  store: EventStore;
  keyring: KeyringRepository;
  hasher: SecretHasher;
  keys: KeysReadModel;
  activity: ActivityReadModel;
  lookup: KeyLookupReadModel;
  projections: SqliteProjectionRunner;
  /** The guard's in-memory lookup table, following the log. */
  hotKeys: HotKeyTable;
  /** Resolves once the read models and the hot table have applied the log up to `position` (a lifecycle event's). */
  readYourWrites(position: number): Promise<void>;
  close(): Promise<void>;
}

export const KEYGATE_RUNTIME = Symbol('KeygateRuntime');

export interface RuntimeOverrides {
  clock?: Clock;
  hasher?: SecretHasher;
  /** For tests that share one file between two runtimes (two processes in production). */
  pollIntervalMs?: number;
}

export const createEmbeddedRuntime = (config: KeygateConfig, overrides: RuntimeOverrides = {}): KeygateRuntime => {
  const clock = overrides.clock ?? systemClock;
  const db: SqliteDb = openSqlite(sqliteFileIn(config.dataDir));
  const store = new SqliteEventStore(db, { pollIntervalMs: overrides.pollIntervalMs, now: () => clock.now() });
  const read = embeddedReadSide(db, store);
  // Bring the read models up to date before serving, so the first request reads a current list.
  read.runner.catchUp();
  read.runner.start();

  // The hot table: seeded from the lookup projection, then following the log from that projection's
  // checkpoint. The checkpoint is read first: events between it and the rows are applied twice, harmlessly.
  const hotKeys = new HotKeyTable();
  const following = new AbortController();
  const from = read.runner.status().projections.find((p) => p.name === 'key_lookup_v1')!.checkpoint;
  const seed = read.lookup.allSync();
  hotKeys.seed(seed, from);
  const follower = (async () => {
    for await (const e of store.subscribeToAll<KeyLifecycleEvent['data']>({
      after: from,
      eventTypes: KEY_LIFECYCLE_EVENT_TYPES,
      signal: following.signal,
    })) {
      hotKeys.apply({ type: e.type, data: e.data } as KeyLifecycleEvent, e.globalPosition);
    }
  })();

  return {
    config,
    clock,
    policy: config.policy,
    store,
    keyring: new KeyringRepository(store, config.policy),
    hasher: overrides.hasher ?? new Argon2SecretHasher(),
    keys: read.keys,
    activity: read.activity,
    lookup: read.lookup,
    projections: read.runner,
    hotKeys,
    async readYourWrites(position: number) {
      if (position === 0) return;
      await Promise.all([read.runner.waitFor(position), hotKeys.waitFor(position)]);
    },
    async close() {
      following.abort();
      await follower;
      await read.runner.stop();
      await store.close();
      db.close();
    },
  };
};
