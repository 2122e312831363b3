import type { SqliteDb, SqliteEventStore } from '../../../event-store/src/index.js';
import { SqliteCheckpoints } from './checkpoints.js';
import type { SqliteProjection } from './sqlite-projection.js';

const BATCH = 1000;

export interface ProjectionStatus {
  name: string;
  checkpoint: number;
  head: number;
  lag: number;
}

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

  constructor(
    private readonly db: SqliteDb,
    private readonly store: SqliteEventStore,
    readonly projections: readonly SqliteProjection[],
  ) {
    this.checkpoints = new SqliteCheckpoints(db);
    this.head = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck();
    for (const p of projections) p.init(db);
  }

  /** Applies one batch and moves the checkpoint; the caller holds the transaction. True at the head. */
  private applyBatch(projection: SqliteProjection): boolean {
    const head = this.head.get() as number;
    const from = this.checkpoints.load(projection.name);
    const events = this.store.readAllSync({ after: from, maxCount: BATCH, eventTypes: projection.eventTypes });
    for (const e of events) projection.apply(e);
    // A short batch means nothing of interest lies between it and the head read in this transaction.
    const caughtUp = events.length < BATCH;
    const to = caughtUp ? head : events[events.length - 1].globalPosition;
    if (to > from) this.checkpoints.save(projection.name, to);
    return caughtUp;
  }

  /** One batch in its own transaction: a crash never leaves rows without their checkpoint. */
  private step(projection: SqliteProjection): boolean {
    return this.db.transaction(() => this.applyBatch(projection)).immediate();
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

  /** Rebuilds one projection from zero in a single transaction: readers see the old rows until it commits. */
  rebuild(projection: SqliteProjection): void {
    this.db
      .transaction(() => {
        projection.reset(this.db);
        this.checkpoints.rewind(projection.name);
        // Batches inside the one transaction, not a savepoint each: savepoints journal every page they touch.
        while (!this.applyBatch(projection));
      })
      .immediate();
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
    return {
      projections: this.projections.map((p) => {
        const checkpoint = this.checkpoints.load(p.name);
        return { name: p.name, checkpoint, head, lag: head - checkpoint };
      }),
      error: this.failure ? String(this.failure) : null,
    };
  }
}
