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
import { StartupError, withoutCredentials, type KeygateConfig } from '#config';
import { createLogger } from '#logging';
import type { Logger } from 'pino';
import { FollowerFailures, followerHooks, hooksFor } from './follower-failures.js';
import { followHotKeys, hotKeyStatus } from './hot-key-follower.js';
import { domainParts, PARKED_SHOWN, readModels, type KeygateRuntime, type RuntimeOverrides } from './keygate-runtime.js';

// A revoke is durable and enforced by this replica's guard before its answer waits for the read models; if
// the projector is down, the answer is not held hostage: after this long it goes out with what the list shows.
const READ_BACK_TIMEOUT_MS = 3000;

export type ProductionRole = 'api' | 'projector';

/** Exit code of a process whose stores cannot be reached at start: EX_UNAVAILABLE (sysexits.h). */
export const STORE_UNREACHABLE_EXIT_CODE = 69;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;
/** One attempt's bound: the MongoDB driver otherwise waits 30 s (serverSelectionTimeoutMS) in silence. */
const ATTEMPT_TIMEOUT_MS = 3_000;

// One line of the driver's error, never its 97 lines. The KurrentDB client's UnavailableError says only its name.
const firstLine = (error: unknown): string => {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
  return /^\w*UnavailableError$/.test(line) ? `${line} (gRPC UNAVAILABLE: no connection to the server)` : line;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StoreToReach {
  /** What an operator calls it: 'KurrentDB', 'MongoDB'. */
  name: string;
  /** The variable that holds its URL. */
  variable: string;
  url: string;
  /** One attempt: resolves once the store answered, rejects otherwise (within about ATTEMPT_TIMEOUT_MS). */
  attempt: () => Promise<void>;
}

/**
 * Tries a store until it answers or `timeoutMs` has passed, with a log line per failed attempt (backoff 0.5 s →
 * 5 s), then gives up with a StartupError that names the store, its URL without credentials and the variable.
 */
export const reachStore = async (store: StoreToReach, timeoutMs: number, logger: Pick<Logger, 'warn' | 'info'>): Promise<void> => {
  const url = withoutCredentials(store.url);
  const started = Date.now();
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      // A host that drops packets answers nothing at all: each attempt is bounded here too.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS + 1_000} ms`)), ATTEMPT_TIMEOUT_MS + 1_000);
      });
      await Promise.race([store.attempt(), bound]).finally(() => clearTimeout(timer));
      if (attempt > 1) logger.info({ store: store.name, url, attempt }, `${store.name} reached`);
      return;
    } catch (error) {
      const reason = firstLine(error);
      const elapsed = Date.now() - started;
      if (elapsed + delay > timeoutMs) {
        throw new StartupError(
          `Keygate cannot start: ${store.name} at ${url} (${store.variable}) did not answer: ${attempt} attempt(s) over ${(elapsed / 1000).toFixed(1)} s ` +
            `(KEYGATE_STORE_CONNECT_TIMEOUT_MS=${timeoutMs}). Last error: ${reason}\n` +
            `Check that ${store.name} runs and that ${store.variable} names it.`,
          STORE_UNREACHABLE_EXIT_CODE,
        );
      }
      logger.warn({ store: store.name, url, variable: store.variable, attempt, retryInMs: delay, reason }, `${store.name} is not reachable yet; retrying`);
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }
};

/**
 * Start-up check of both stores of the production profile, each with reachStore. MongoDB is asked through a
 * short-lived client with a short server-selection timeout, so the process's own client keeps the driver's defaults.
 */
export const reachProductionStores = async (
  config: KeygateConfig,
  store: Pick<KurrentEventStore, 'headPosition'>,
  logger: Pick<Logger, 'warn' | 'info'>,
): Promise<void> => {
  await reachStore(
    { name: 'KurrentDB', variable: 'KURRENTDB_URL', url: config.kurrentdbUrl!, attempt: async () => void (await store.headPosition()) },
    config.storeConnectTimeoutMs,
    logger,
  );
  await reachStore(
    {
      name: 'MongoDB',
      variable: 'MONGODB_URL',
      url: config.mongodbUrl!,
      attempt: async () => {
        const probe = new MongoClient(config.mongodbUrl!, { serverSelectionTimeoutMS: ATTEMPT_TIMEOUT_MS, connectTimeoutMS: ATTEMPT_TIMEOUT_MS });
        try {
          await probe.connect();
          await probe.db('admin').command({ ping: 1 });
        } finally {
          await probe.close().catch(() => undefined);
        }
      },
    },
    config.storeConnectTimeoutMs,
    logger,
  );
};

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
  // Start-up attempts are logged here: the API's composition root hands its logger only to the followers' hooks.
  logger: Pick<Logger, 'warn' | 'info'> = createLogger(config.logLevel),
): Promise<KeygateRuntime & { mongo: MongoClient }> => {
  const store = new KurrentEventStore(config.kurrentdbUrl!);
  try {
    await reachProductionStores(config, store, logger);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  const mongo = new MongoClient(config.mongodbUrl!);
  await mongo.connect();
  const db = mongo.db(config.mongodbDatabase);
  const version = config.readModelVersion;
  // What a command's answer reads back: the keys list and the activity feed (both consume every lifecycle event).
  const readBackFrom = [keysListCollection(version), activityCollection(version)];
  const failures = new FollowerFailures();
  const hooks = followerHooks(failures, overrides);
  const domain = domainParts(config, store, overrides);
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
      ? followHotKeys(
          store,
          { checkpoint, entries: await read.lookup.liveSince(checkpoint, domain.clock.now()), lookup: (keyId) => read.lookup.get(keyId) },
          hooksFor(hooks, 'hot_key_table'),
        )
      : null;
  const hotKeys = follower?.hotKeys ?? new HotKeyTable();

  const readBack = (position: number) =>
    role === 'projector'
      ? read.runner.waitFor(position, readBackFrom)
      : read.runner.waitFor(position, readBackFrom, READ_BACK_TIMEOUT_MS).catch(() => undefined);

  return {
    ...domain,
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
