import { schemaCheckedStore, type EventStore } from '#event-store';
import {
  KeyringRepository,
  type HotKeyTable,
  type KeyPolicy,
  type SecretHasher,
} from '#keys';
import { Argon2SecretHasher } from '#keys/argon2';
import type {
  ActivityReadModel,
  KeyLookupReadModel,
  KeysReadModel,
  ParkedEvent,
  ProjectionStatus,
} from '#projections';
import type { KeygateConfig } from '#config';
import { checkLogEvent } from './log-event-check.js';
import { systemClock, type Clock } from './clock.js';

/** What this process knows of the followers of the log it relies on (for /health and /metrics). */
export interface ReadSideStatus {
  /**
   * Each follower's checkpoint, lag and parked count: the projections, and this process's hot key table;
   * `parked` lists the first unresolved parked events (a degraded process, still ready).
   */
  status(): Promise<{
    projections: ProjectionStatus[];
    error: string | null;
    parked: ParkedEvent[];
    /**
     * Why the event store cannot write right now (disk full…), until a write goes through again; null or absent
     * when it can. /health is not ready while it is set. Embedded profile only for now.
     */
    storeError?: string | null;
  }>;
  /** Resolves once the read models have applied every event up to `position`. */
  waitFor(position: number): Promise<void>;
}

/**
 * Everything the HTTP layer needs from the stores, behind ports. The embedded profile builds it on one
 * SQLite file (embedded-runtime.ts); the production profile on KurrentDB and MongoDB (production-runtime.ts).
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
  readSide: ReadSideStatus;
  /** The guard's in-memory lookup table, following the log. */
  hotKeys: HotKeyTable;
  /**
   * Resolves once this process's hot table has applied the log up to `position` (a lifecycle event's), so
   * its guard refuses a revoked key from the next request on, and once the read models show it.
   */
  readYourWrites(position: number): Promise<void>;
  close(): Promise<void>;
}

/** Narrow pieces a composition root hands out (never the whole runtime): see apps/api/src/composition. */
export const READ_YOUR_WRITES = Symbol('ReadYourWrites');
export type ReadYourWrites = KeygateRuntime['readYourWrites'];
export const READ_SIDE_STATUS = Symbol('ReadSideStatus');

export interface RuntimeOverrides {
  clock?: Clock;
  hasher?: SecretHasher;
  /** For tests that share one file between two runtimes (two processes in production). */
  pollIntervalMs?: number;
  /** Told when this process's subscription to the log drops and is resumed (for logs and /metrics). */
  onFollowerDrop?: (follower: string, error: unknown, attempt: number, delayMs: number) => void;
  /** Told of every event a projection or the hot table parked because it could not apply it. */
  onParked?: (entry: ParkedEvent) => void;
}

/** The read models of a read side, as the runtime hands them out. */
export const readModels = (read: { keys: KeysReadModel; activity: ActivityReadModel; lookup: KeyLookupReadModel }) => ({
  keys: read.keys,
  activity: read.activity,
  lookup: read.lookup,
});

/** How many parked events /health lists (the operator command lists them all). */
export const PARKED_SHOWN = 20;

/**
 * The parts of a runtime that are the same on every profile: the domain over whichever store. Every writer
 * (the keyring, the usage recorder) gets the store through its schema check, so nothing malformed is appended.
 */
export const domainParts = (config: KeygateConfig, rawStore: EventStore, overrides: RuntimeOverrides) => {
  const store = schemaCheckedStore(rawStore, checkLogEvent);
  return {
    config,
    clock: overrides.clock ?? systemClock,
    policy: config.policy,
    store,
    keyring: new KeyringRepository(store, config.policy),
    hasher: overrides.hasher ?? new Argon2SecretHasher(),
  };
};
