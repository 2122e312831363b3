import type { ClientSession, Db, MongoClient, TransactionOptions } from 'mongodb';
import { followLog, type EventStore, type RecordedEvent } from '#event-store';
import { parkedEntry, reasonOf, schemaProblemOf, type ParkedEvent } from '../parking/parked-event.js';
import { MongoActivityFeedProjection } from '../activity-feed/activity-feed.projection.mongo.js';
import { MongoCheckpoints } from './mongo-checkpoints.js';
import { MongoKeyLookupProjection } from '../key-lookup/key-lookup.projection.mongo.js';
import { MongoKeysListProjection } from '../keys-list/keys-list.projection.mongo.js';
import { MongoParkedEvents } from '../parking/mongo-parked-events.js';
import type { MongoProjection } from './mongo-projection.js';
import { checkMongoReadModelVersion, MONGO_READ_MODEL_VERSION } from './mongo-read-model-version.js';
import { PositionWaiters } from './position-waiters.js';
import { isMongoStoreFailure } from '../parking/mongo-store-failure.js';

export interface MongoProjectionRunnerOptions {
  /** Most events applied in one transaction. */
  maxBatch?: number;
  /** Between resubscriptions after a drop or a failed batch. */
  backoff?: { initialMs: number; maxMs: number };
  onBatch?(name: string, size: number, ms: number): void;
  onDrop?(name: string, error: unknown, attempt: number, delayMs: number): void;
  /** Told of every event parked (for logs and /metrics). */
  onParked?(entry: ParkedEvent): void;
}

/** The read side's projections at one version (refused below MONGO_READ_MODEL_VERSION: checkMongoReadModelVersion). */
export const defaultMongoProjections = (version = MONGO_READ_MODEL_VERSION): MongoProjection[] => {
  checkMongoReadModelVersion(version);
  return [new MongoKeysListProjection(version), new MongoActivityFeedProjection(version), new MongoKeyLookupProjection(version)];
};

// Snapshot reads so the activity feed's label lookups and its writes see one state; majority commits so a
// checkpoint an API replica has seen survives a primary failover.
const TRANSACTION: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

const WAIT_POLL_MS = 15;

/**
 * Keeps the MongoDB projections caught up with the log: one followLog per projection, filtered by the store
 * to the projection's event types, each batch applied in ONE transaction together with that projection's
 * checkpoint. A crash leaves either both or neither.
 *
 * Two projectors running by mistake over the same database do no harm: every write is idempotent (version
 * guards on lastPosition, $setOnInsert keyed by key id or event position, $max), so the one that is behind
 * rewrites nothing, and the checkpoint only moves forward ($max), so it cannot drag the other back; a
 * checkpoint at P always means some transaction applied every event up to P. When both touch the same
 * document at once, MongoDB fails one transaction with a WriteConflict (a TransientTransactionError):
 * withTransaction runs it again. Any other failure aborts the transaction whole, and followLog backs off and
 * resubscribes from the checkpoint, where re-applying is harmless.
 *
 * An API replica does not start() it: it calls waitFor() to read its own writes once the projector has them.
 */
export class MongoProjectionRunner {
  readonly names: readonly string[];
  readonly projections: readonly MongoProjection[];
  private readonly checkpointStore: MongoCheckpoints;
  readonly parked: MongoParkedEvents;
  private readonly loops = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly waiters: PositionWaiters;
  private polling = false;

  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly store: EventStore,
    projections: MongoProjection[] = defaultMongoProjections(),
    private readonly options: MongoProjectionRunnerOptions = {},
  ) {
    this.projections = projections;
    this.names = projections.map((p) => p.name);
    if (new Set(this.names).size !== this.names.length) throw new Error(`duplicate projection names: ${this.names.join(', ')}`);
    this.waiters = new PositionWaiters(this.names);
    this.checkpointStore = new MongoCheckpoints(db);
    this.parked = new MongoParkedEvents(db);
  }

  /** Collections and indexes; idempotent, so every process may run it at start. */
  async init(): Promise<void> {
    await this.checkpointStore.init(this.names);
    await this.parked.init();
    for (const p of this.projections) await p.init(this.db);
  }

  start(): void {
    for (const p of this.projections) this.follow(p);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.loops.keys()].map((name) => this.unfollow(name)));
    this.waiters.settleAll(new Error('projection runner stopped'));
  }

  checkpoints(): Promise<Record<string, number>> {
    return this.checkpointStore.loadAll(this.names);
  }

  /**
   * Resolves once each named projection's checkpoint (all by default) is at or past `position`. A checkpoint
   * moves only on events of its projection's types, so name only the projections that consume the event waited for.
   */
  waitFor(position: number, names?: readonly string[], timeoutMs?: number): Promise<void> {
    const waiting = this.waiters.wait(position, names, timeoutMs);
    void this.poll();
    return waiting;
  }

  /**
   * Rebuilds one projection from zero in place: forgets its parks (the rebuild parks again what still fails), drops
   * its collections and rewinds its checkpoint; its loop, if it ran, starts again from zero. Readers see the
   * collections fill up meanwhile: in production, prefer a blue/green rebuild (a new version beside the old).
   */
  async rebuild(name: string): Promise<void> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection: ${name}`);
    const wasFollowing = this.loops.has(name);
    // Stop its loop first: it would go on from its position in memory, not from zero.
    await this.unfollow(name);
    await this.parked.forgetParked(name);
    await projection.reset(this.db);
    await this.checkpointStore.rewind(name);
    if (wasFollowing) this.follow(projection);
  }

  private follow(projection: MongoProjection): void {
    if (this.loops.has(projection.name)) return;
    const controller = new AbortController();
    const done = followLog({
      store: this.store,
      eventTypes: projection.eventTypes,
      checkpoint: () => this.checkpointStore.load(projection.name),
      handleBatch: (events) => this.applyBatch(projection, events),
      signal: controller.signal,
      maxBatch: this.options.maxBatch,
      backoff: this.options.backoff,
      onDrop: (error, attempt, delayMs) => this.options.onDrop?.(projection.name, error, attempt, delayMs),
    });
    this.loops.set(projection.name, { controller, done });
  }

  private async unfollow(name: string): Promise<void> {
    const loop = this.loops.get(name);
    if (!loop) return;
    loop.controller.abort();
    await loop.done;
    this.loops.delete(name);
  }

  /** One transaction; the callback may run more than once (transient errors), so it reads what it needs inside. */
  private inTransaction(work: (session: ClientSession) => Promise<void>): Promise<void> {
    return this.client.withSession((session) => session.withTransaction(() => work(session), TRANSACTION));
  }

  /**
   * 1. Events that do not fit their schema are parked without being tried; the rest are applied as one batch,
   *    in one transaction with the parks and the checkpoint.
   * 2. If the batch fails for a reason of an event's own (not MongoDB's: see isMongoStoreFailure), it is
   *    applied again one event per transaction, and the event that fails is parked alone.
   * A failure of MongoDB itself is thrown: followLog backs off and resumes from the checkpoint.
   */
  private async applyBatch(projection: MongoProjection, events: RecordedEvent[]): Promise<void> {
    const started = performance.now();
    const to = events[events.length - 1].globalPosition;
    const now = new Date();
    const bad: ParkedEvent[] = [];
    const good = events.filter((e) => {
      const problem = schemaProblemOf(e);
      if (problem) bad.push(parkedEntry(projection.name, e, problem, now));
      return problem === null;
    });
    try {
      await this.inTransaction(async (session) => {
        if (good.length > 0) await projection.apply(good, { db: this.db, session });
        await this.parked.park(bad, session);
        await this.checkpointStore.advance(projection.name, to, session);
      });
    } catch (error) {
      if (isMongoStoreFailure(error)) throw error;
      bad.length = 0;
      for (const event of events) await this.applyIsolated(projection, event, bad);
    }
    for (const entry of bad) this.options.onParked?.(entry);
    this.options.onBatch?.(projection.name, events.length, performance.now() - started);
  }

  private async applyIsolated(projection: MongoProjection, event: RecordedEvent, parked: ParkedEvent[]): Promise<void> {
    const problem = schemaProblemOf(event);
    if (problem === null) {
      try {
        await this.inTransaction(async (session) => {
          await projection.apply([event], { db: this.db, session });
          await this.checkpointStore.advance(projection.name, event.globalPosition, session);
        });
        return;
      } catch (error) {
        if (isMongoStoreFailure(error)) throw error;
        parked.push(parkedEntry(projection.name, event, reasonOf(error), new Date()));
      }
    } else {
      parked.push(parkedEntry(projection.name, event, problem, new Date()));
    }
    const entry = parked[parked.length - 1];
    await this.inTransaction(async (session) => {
      await this.parked.park([entry], session);
      await this.checkpointStore.advance(projection.name, event.globalPosition, session);
    });
  }

  /** One poll loop for every waiter: many requests waiting at once cost one read per tick, not one each. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      while (this.waiters.size > 0) {
        try {
          this.waiters.release(await this.checkpoints());
        } catch {
          // Read again on the next tick; each waiter still times out on its own.
        }
        if (this.waiters.size > 0) await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      }
    } finally {
      this.polling = false;
    }
  }
}
