import { followLog, type RecordedEvent, type SqliteDb, type SqliteEventStore } from '#event-store';
import type { SqliteProjection } from '../projection.js';
import { parkedEntry, reasonOf, schemaProblemOf, type ParkedEvent } from '../parking/parked-event.js';
import { SqliteParkedEvents } from '../parking/sqlite-parked-events.js';
import { isSqliteStoreFailure } from '../parking/sqlite-store-failure.js';
import { PositionWaiters } from './position-waiters.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';

const BATCH = 1000;

export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  lag: number;
  /** Events it parked and no operator has resolved yet (0 = none): the process is degraded, not down. */
  parked?: number;
}

export interface SqliteProjectionRunnerOptions {
  /** Told of every event parked (for logs and /metrics). */
  onParked?(entry: ParkedEvent): void;
  /** Most events the live loop applies in one transaction. */
  maxBatch?: number;
  /** Between resubscriptions after a failed batch (a locked file). */
  backoff?: { initialMs: number; maxMs: number };
}

/** How events are applied: fast (the whole batch in one transaction) or one savepoint each, to isolate a bad one. */
type Mode = 'fast' | 'isolating';

/**
 * Keeps every projection caught up with the log, on the SQLite file that holds both.
 * - catchUp(): synchronously, before the API serves (readAllSync, filtered by each projection's types).
 * - start(): the live loop, one followLog of the whole log (woken by appends in this process, polling for those
 *   of other processes sharing the file), each batch applied to each projection in a transaction of its own.
 * - rebuild(name): from zero, in ONE transaction: readers see the old rows until it commits.
 * Every checkpoint moves to the batch's last position, whatever its types, so waitFor(position) needs no names.
 */
export class SqliteProjectionRunner {
  readonly names: readonly string[];
  readonly parked: SqliteParkedEvents;
  private readonly checkpointStore: SqliteCheckpoints;
  private readonly head;
  private readonly types: Map<string, ReadonlySet<string>>;
  private readonly waiters: PositionWaiters;
  private loop: { controller: AbortController; done: Promise<void> } | null = null;
  private failure: unknown = null;
  /** Parked in the transaction under way: told (logs, metrics) only once it commits. */
  private newlyParked: ParkedEvent[] = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly store: SqliteEventStore,
    readonly projections: readonly SqliteProjection[],
    private readonly options: SqliteProjectionRunnerOptions = {},
  ) {
    this.names = projections.map((p) => p.name);
    this.types = new Map(projections.map((p) => [p.name, new Set(p.eventTypes)]));
    this.waiters = new PositionWaiters(this.names);
    this.checkpointStore = new SqliteCheckpoints(db);
    this.parked = new SqliteParkedEvents(db);
    this.head = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck();
    for (const p of projections) p.init(db);
  }

  /** Brings every projection to the head now, synchronously. */
  catchUp(): void {
    for (const p of this.projections) while (!this.inIsolation((mode) => this.readAndApply(p, mode)));
    if (this.waiters.size > 0) this.waiters.release(this.checkpoints());
  }

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    const done = followLog({
      store: this.store,
      checkpoint: () => Math.min(...Object.values(this.checkpoints())),
      handleBatch: (events) => this.follow(events),
      signal: controller.signal,
      maxBatch: this.options.maxBatch ?? BATCH,
      backoff: this.options.backoff,
      // A locked file or a transient error heals on a later attempt; health reports it meanwhile.
      onDrop: (error) => void (this.failure = error),
    });
    this.loop = { controller, done };
  }

  async stop(): Promise<void> {
    this.loop?.controller.abort();
    await this.loop?.done;
    this.loop = null;
    this.waiters.settleAll();
  }

  /**
   * Rebuilds one projection from zero in a single transaction. Batches inside the one transaction, not a
   * savepoint each (savepoints journal every page they touch); a bad event costs one more pass, isolating.
   * Also the operator's retry of parked events, once the code is fixed: they land in order with the rest.
   */
  rebuild(name: string): void {
    const projection = this.projectionNamed(name);
    this.inIsolation((mode) => {
      // What still fails is parked again in this same transaction; what a fix made applicable is no longer reported.
      this.parked.forgetParked(name);
      projection.reset(this.db);
      this.checkpointStore.rewind(name);
      while (!this.readAndApply(projection, mode));
    });
  }

  /** Resolves once each named projection (all by default) has processed the log up to `position`. */
  waitFor(position: number, names?: readonly string[], timeoutMs?: number): Promise<void> {
    return this.waiters.wait(position, names, timeoutMs, this.checkpoints());
  }

  checkpoints(): Record<string, number> {
    return this.checkpointStore.loadAll(this.names);
  }

  status(): { projections: ProjectionStatus[]; error: string | null } {
    const head = this.head.get() as number;
    const parked = this.parked.countsSync();
    const checkpoints = this.checkpoints();
    return {
      projections: this.names.map((name) => {
        const checkpoint = checkpoints[name];
        return { name, checkpoint, head, lag: head - checkpoint, parked: parked[name] ?? 0 };
      }),
      error: this.failure ? String(this.failure) : null,
    };
  }

  private projectionNamed(name: string): SqliteProjection {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection: ${name}`);
    return projection;
  }

  /** The live loop's batch (every type): each projection takes its types past its checkpoint, and moves to its end. */
  private follow(events: RecordedEvent[]): void {
    const to = events[events.length - 1].globalPosition;
    for (const p of this.projections) {
      const types = this.types.get(p.name)!;
      this.inIsolation((mode) => {
        const from = this.checkpointStore.load(p.name);
        if (to <= from) return;
        this.applyEvents(p, events.filter((e) => e.globalPosition > from && types.has(e.type)), mode);
        this.checkpointStore.save(p.name, to);
      });
    }
    this.failure = null;
    if (this.waiters.size > 0) this.waiters.release(this.checkpoints());
  }

  /** Reads one batch of the projection's types, applies it and moves the checkpoint; the caller holds the transaction. True at the head. */
  private readAndApply(projection: SqliteProjection, mode: Mode): boolean {
    const head = this.head.get() as number;
    const from = this.checkpointStore.load(projection.name);
    const events = this.store.readAllSync({ after: from, maxCount: BATCH, eventTypes: projection.eventTypes });
    this.applyEvents(projection, events, mode);
    // A short batch means nothing of interest lies between it and the head read in this transaction.
    const caughtUp = events.length < BATCH;
    const to = caughtUp ? head : events[events.length - 1].globalPosition;
    if (to > from) this.checkpointStore.save(projection.name, to);
    return caughtUp;
  }

  /**
   * 1. An event that does not fit its schema is parked without being tried.
   * 2. Fast mode applies the rest as one batch straight into the caller's transaction: a throw rolls the whole
   *    batch back, and the caller runs it again isolating (see inIsolation).
   * 3. Isolating mode gives each event a savepoint: a failure of the event's own (not of the file) rolls back
   *    that event alone, which is parked, and the batch goes on.
   */
  private applyEvents(projection: SqliteProjection, events: readonly RecordedEvent[], mode: Mode): void {
    const good = events.filter((event) => {
      const problem = schemaProblemOf(event);
      if (problem) this.park(projection, event, problem);
      return problem === null;
    });
    if (mode === 'fast') return projection.apply(good, this.db);
    for (const event of good) {
      try {
        this.db.transaction(() => projection.apply([event], this.db))();
      } catch (error) {
        if (isSqliteStoreFailure(error)) throw error;
        this.park(projection, event, reasonOf(error));
      }
    }
  }

  private park(projection: SqliteProjection, event: RecordedEvent, reason: string): void {
    const entry = parkedEntry(projection.name, event, reason, new Date());
    if (this.parked.park(entry)) this.newlyParked.push(entry);
  }

  /**
   * Runs `work` fast in one IMMEDIATE transaction; if an event made it throw, runs it again isolating. Savepoints
   * cost (each journals the pages it touches), so they are paid only by a batch that holds a bad event.
   */
  private inIsolation<T>(work: (mode: Mode) => T): T {
    const attempt = (mode: Mode): T => {
      this.newlyParked = [];
      const result = this.db.transaction(() => work(mode)).immediate();
      for (const entry of this.newlyParked.splice(0)) this.options.onParked?.(entry);
      return result;
    };
    try {
      return attempt('fast');
    } catch (error) {
      if (isSqliteStoreFailure(error)) throw error;
      return attempt('isolating');
    }
  }
}
