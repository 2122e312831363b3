import type { RecordedEvent, SqliteDb, SqliteEventStore } from '#event-store';
import { parkedEntry, reasonOf, schemaProblemOf, type ParkedEvent } from '../parking/parked-event.js';
import { SqliteParkedEvents } from '../parking/sqlite-parked-events.js';
import { isSqliteStoreFailure } from '../parking/sqlite-store-failure.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';
import type { SqliteProjection } from '../projection.js';

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
}

/** How events are applied: fast (the whole batch in one transaction) or one savepoint each, to isolate a bad one. */
type Mode = 'fast' | 'isolating';

/**
 * Keeps every projection caught up with the log: a catch-up loop per pass, woken by appends in this
 * process and by polling for appends made by other processes sharing the file.
 *
 * Commands wait for it (waitFor) before answering, so a client that revokes a key and then lists keys
 * reads its own write.
 */
export class SqliteProjectionRunner {
  private readonly checkpoints: SqliteCheckpoints;
  private readonly head;
  private readonly abort = new AbortController();
  private waiters: { position: number; resolve: () => void }[] = [];
  private running: Promise<void> | null = null;
  private failure: unknown = null;
  readonly parked: SqliteParkedEvents;
  /** Parked in the transaction under way: told (logs, metrics) only once it commits. */
  private newlyParked: ParkedEvent[] = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly store: SqliteEventStore,
    readonly projections: readonly SqliteProjection[],
    private readonly options: SqliteProjectionRunnerOptions = {},
  ) {
    this.checkpoints = new SqliteCheckpoints(db);
    this.parked = new SqliteParkedEvents(db);
    this.head = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck();
    for (const p of projections) p.init(db);
  }

  /** Applies one batch and moves the checkpoint; the caller holds the transaction. True at the head. */
  private applyBatch(projection: SqliteProjection, mode: Mode): boolean {
    const head = this.head.get() as number;
    const from = this.checkpoints.load(projection.name);
    const events = this.store.readAllSync({ after: from, maxCount: BATCH, eventTypes: projection.eventTypes });
    for (const e of events) this.applyOne(projection, e, mode);
    // A short batch means nothing of interest lies between it and the head read in this transaction.
    const caughtUp = events.length < BATCH;
    const to = caughtUp ? head : events[events.length - 1].globalPosition;
    if (to > from) this.checkpoints.save(projection.name, to);
    return caughtUp;
  }

  /**
   * 1. An event that does not fit its schema is parked without being tried.
   * 2. Fast mode applies the rest straight into the batch's transaction: a throw rolls the whole batch back,
   *    and the caller runs it again isolating (see inIsolation).
   * 3. Isolating mode gives each event a savepoint: a failure of the event's own (not of the file) rolls back
   *    that event alone, which is parked, and the batch goes on.
   */
  private applyOne(projection: SqliteProjection, event: RecordedEvent, mode: Mode): void {
    const problem = schemaProblemOf(event);
    if (problem) return this.park(projection, event, problem);
    if (mode === 'fast') return projection.apply(event);
    try {
      this.db.transaction(() => projection.apply(event))();
    } catch (error) {
      if (isSqliteStoreFailure(error)) throw error;
      this.park(projection, event, reasonOf(error));
    }
  }

  private park(projection: SqliteProjection, event: RecordedEvent, reason: string): void {
    const entry = parkedEntry(projection.name, event, reason, new Date());
    if (this.parked.park(entry)) this.newlyParked.push(entry);
  }

  /**
   * Runs `work` fast; if an event made it throw, runs it again isolating. Savepoints cost (each journals the
   * pages it touches), so they are paid only by a batch that holds a bad event.
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

  /** One batch in its own transaction: a crash never leaves rows without their checkpoint. */
  private step(projection: SqliteProjection): boolean {
    return this.inIsolation((mode) => this.applyBatch(projection, mode));
  }

  /** Brings every projection to the head now, synchronously. */
  catchUp(): void {
    for (const p of this.projections) while (!this.step(p));
    this.releaseWaiters();
  }

  start(): void {
    if (this.running) return;
    this.running = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          this.catchUp();
          this.failure = null;
        } catch (error) {
          // Keep going: a locked file or a transient error heals on the next pass; health reports it meanwhile.
          this.failure = error;
        }
        await this.store.waitForAppend(this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  /**
   * Rebuilds one projection from zero in a single transaction: readers see the old rows until it commits.
   * Batches inside the one transaction, not a savepoint each (savepoints journal every page they touch);
   * a bad event costs one more pass, isolating.
   */
  rebuild(projection: SqliteProjection): void {
    this.inIsolation((mode) => {
      // What still fails is parked again in this same transaction; what a fix made applicable is no longer reported.
      this.parked.forgetParked(projection.name);
      projection.reset(this.db);
      this.checkpoints.rewind(projection.name);
      while (!this.applyBatch(projection, mode));
    });
  }

  /** An operator's retry, once the code is fixed: a rebuild, so the parked events land in order with the rest. */
  retryParked(projection: SqliteProjection): void {
    this.rebuild(projection);
  }

  /** Resolves once every projection has processed the log up to `position`. */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.lowestCheckpoint() >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`projections did not reach ${position} in ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ position, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private lowestCheckpoint(): number {
    let low = Number.MAX_SAFE_INTEGER;
    for (const p of this.projections) low = Math.min(low, this.checkpoints.load(p.name));
    return low;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const low = this.lowestCheckpoint();
    const still = [];
    for (const w of this.waiters) (w.position <= low ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  status(): { projections: ProjectionStatus[]; error: string | null } {
    const head = this.head.get() as number;
    const parked = this.parked.countsSync();
    return {
      projections: this.projections.map((p) => {
        const checkpoint = this.checkpoints.load(p.name);
        return { name: p.name, checkpoint, head, lag: head - checkpoint, parked: parked[p.name] ?? 0 };
      }),
      error: this.failure ? String(this.failure) : null,
    };
  }
}
