import { openSqlite, sqliteFileIn, SqliteEventStore, type EventStore, type SqliteDb } from '../../../../libs/event-store/src/index.js';
import { KeyringRepository, type KeyPolicy, type SecretHasher } from '../../../../libs/keys/src/index.js';
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
    async close() {
      await read.runner.stop();
      await store.close();
      db.close();
    },
  };
};
