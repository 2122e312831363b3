import { followLog, type RecordedEvent, type SqliteDb, type SqliteEventStore } from '#event-store';
import type { SqliteBulkLoad, SqliteProjection } from '../projection.js';
import { parkedEntry, reasonOf, schemaProblemOf, type ParkedEvent } from '../parking/parked-event.js';
import { SqliteParkedEvents } from '../parking/sqlite-parked-events.js';
import { isSqliteStoreFailure } from '../parking/sqlite-store-failure.js';
import { PositionWaiters } from './position-waiters.js';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';

const BATCH = 1000;
/**
 * Events a rebuild reads (and parses) at a time, for every projection it rebuilds. Small on purpose: a batch is
 * alive while it is applied, so a young-generation collection during it copies the whole batch and promotes it
 * to the old generation, where it becomes garbage that full collections must mark around everything else the
 * heap holds. At 2 000 a rebuild of 1M events spent 17 s of 100 s in GC, at 500, 6 s of 43 s (same code).
 */
const REBUILD_BATCH = 500;
/**
 * Page cache of the connection during a rebuild, KiB (PRAGMA cache_size, negative = KiB): the rows updated by key
 * (uses, status changes) and the index sorts stay in memory on a log of millions of events, instead of spilling
 * the transaction's dirty pages to the WAL and reading them back. Restored after; memory is taken only as used.
 */
export const REBUILD_CACHE_KIB = 128 * 1024;
/**
 * Page cache of the connection while a rebuild creates the secondary indexes, KiB. CREATE INDEX sorts its entries
 * in runs (PMAs) as large as the page cache, then merges them: with REBUILD_CACHE_KIB one run held all ~1.1M entries
 * of an activity index at 1M events, and its in-memory merge sort chased pointers through ~100 MB (8.5 s for the
 * eight indexes); runs of 512 KiB are sorted in the CPU's cache and merged from temporary files (5.0 s). Pages
 * still dirty are spilled to the WAL meanwhile, as the commit would write them.
 */
export const INDEX_BUILD_CACHE_KIB = 512;

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
  /**
   * Live loop: a pass whose batch holds only these types (uses) runs at most once every `ms`: its batch waits, and
   * the events appended meanwhile join it (followLog's linger), where uses fold into the same roll-ups. Under MCP
   * load a pass per group commit (~7 uses) cost ~10% of the server thread and sat between two group commits; this
   * is issue 11's "applied coalesced". No wait when someone waits for the read side (waitFor and fresh end it too),
   * for a batch holding any other type, or after a full batch (a backlog drains at full speed). An event of another
   * type appended during the wait is applied when it ends (at most `ms` later). The read side then lags by up to
   * `ms` of uses: /health counts a lag past 1 000 events as not ready, so keep `ms` well below 1 000 000 / (uses per
   * second).
   */
  coalesce?: { types: readonly string[]; ms: number };
}

/**
 * Where a rebuild's time went, ms (wall), summed over its attempts (a rebuild retried isolating runs twice): what the
 * rebuild bench and the rebuild command print. The COMMIT is not in it (it follows the callback).
 */
export interface RebuildPhases {
  /** Emptying the projections (their rows, indexes, checkpoints, parks) and starting their folds. */
  resetMs: number;
  /** Reading the log and parsing its events. */
  readMs: number;
  /** Folding them into the projections (rows written as the fold lets them go, in position order). */
  foldMs: number;
  /** Writing the rows the folds still held at the end. */
  finishMs: number;
  /**
   * Creating the secondary indexes (one sort each), with the small page cache: the row pages still in the large one
   * are written out to the WAL meanwhile, so this also holds most of the rows' writing.
   */
  indexMs: number;
  /** How many times the pass ran: 2 when a bad event made it run again isolating. */
  attempts: number;
}

export interface RebuildOptions {
  /**
   * Rebuild up to this position of the log (inclusive) instead of its head, and leave the checkpoints there. For a
   * rebuild into a scratch file whose events come from another file (`store` on the live file): the runner's
   * transaction then does not hold the log's write lock, so events past `upTo` may be appended meanwhile; they
   * are left out. The auditors' replay compares such a rebuild with the live read models at their checkpoints.
   */
  upTo?: number;
}

/** How events are applied: fast (the whole batch in one transaction) or one savepoint each, to isolate a bad one. */
type Mode = 'fast' | 'isolating';

/** A projection and the event types it takes. */
interface Target {
  projection: SqliteProjection;
  types: ReadonlySet<string>;
  /** A rebuild's in-memory fold, when the projection has one: fast mode applies the batches to it instead. */
  bulk?: SqliteBulkLoad;
}

/**
 * Keeps every projection caught up with the log, on the SQLite file that holds both.
 * - catchUp(): synchronously, before the API serves (readAllSync, filtered by each projection's types).
 * - start(): the live loop, one followLog of the whole log (woken by appends in this process, polling for those
 *   of other processes sharing the file), each batch applied to every projection in ONE transaction (run between the store's group commits).
 * - rebuild(name), rebuildAll(), rebuildMany(names): from zero, in ONE pass over the log and ONE transaction:
 *   readers see the old rows (and indexes) until it commits.
 * Every checkpoint moves to the batch's last position, whatever its types, so waitFor(position) needs no names.
 */
export class SqliteProjectionRunner {
  readonly names: readonly string[];
  readonly parked: SqliteParkedEvents;
  private readonly checkpointStore: SqliteCheckpoints;
  /** The log's head, on `db`: prepared on first use (a rebuild into a scratch file with `upTo` never needs it). */
  private headStatement: { get(): unknown } | null = null;
  private readonly types: Map<string, ReadonlySet<string>>;
  private readonly waiters: PositionWaiters;
  private loop: { controller: AbortController; done: Promise<void> } | null = null;
  private failure: unknown = null;
  /** Parked in the transaction under way: told (logs, metrics) only once it commits. */
  private newlyParked: ParkedEvent[] = [];
  /** Ends the coalescing pause under way (waitFor calls it: a reader never waits out the pause). */
  private hurry: (() => void) | null = null;
  /** When the last live pass ended (performance.now()) and whether its batch was full, for `coalesce`. */
  private lastPass = { at: -Infinity, full: false };
  private readonly coalesced: ReadonlySet<string>;

  constructor(
    private readonly db: SqliteDb,
    private readonly store: SqliteEventStore,
    readonly projections: readonly SqliteProjection[],
    private readonly options: SqliteProjectionRunnerOptions = {},
  ) {
    this.names = projections.map((p) => p.name);
    this.types = new Map(projections.map((p) => [p.name, new Set(p.eventTypes)]));
    this.waiters = new PositionWaiters(this.names);
    this.coalesced = new Set(options.coalesce?.types ?? []);
    this.checkpointStore = new SqliteCheckpoints(db);
    this.parked = new SqliteParkedEvents(db);
    for (const p of projections) p.init(db);
  }

  /** Brings every projection to the head now, synchronously. */
  catchUp(): void {
    // A projection with nothing applied on a log that is not empty (a new version built beside an older one, as
    // activity_v2 beside activity_v1): built the rebuild's way (one pass, bulk load, indexes after), not a batch at a
    // time through apply() with its indexes kept row by row, which at 1M events is several times slower.
    const checkpoints = this.checkpoints();
    const unbuilt = this.names.filter((name) => (checkpoints[name] ?? 0) === 0);
    if (unbuilt.length > 0 && this.headNow() > 0) this.rebuildMany(unbuilt);
    for (const p of this.projections) while (!this.inIsolation((mode) => this.readAndApply(p, mode)));
    if (this.waiters.size > 0) this.waiters.release(this.checkpoints());
  }

  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    const maxBatch = this.options.maxBatch ?? BATCH;
    const done = followLog({
      store: this.store,
      checkpoint: () => Math.min(...Object.values(this.checkpoints())),
      // A batch of uses only waits for the next ones (options.coalesce).
      linger: (events) => this.pauseForMore(events, controller.signal),
      handleBatch: async (events) => {
        // Between the writer thread's group commits: never waits on the write lock (see SqliteEventStore.runExclusive).
        await this.store.runExclusive(() => this.follow(events));
        this.lastPass = { at: performance.now(), full: events.length >= maxBatch };
      },
      signal: controller.signal,
      maxBatch,
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

  /** Rebuilds one projection from zero (rebuildMany). Also the operator's retry of its parked events. */
  rebuild(name: string): void {
    this.rebuildMany([name]);
  }

  /** Rebuilds every projection from zero in one pass over the log and one transaction (rebuildMany). */
  rebuildAll(): void {
    this.rebuildMany(this.names);
  }

  /** Where the last rebuild's time went (over its attempts); null before one, or after one that failed. */
  lastRebuildPhases: RebuildPhases | null = null;

  /**
   * Rebuilds the named projections from zero, together, in ONE transaction: readers (other connections, WAL)
   * see the old rows and indexes until it commits. ONE pass over the log: each event is read and parsed once,
   * its schema checked once, and handed to every projection whose types include it. Each projection's
   * secondary indexes are dropped before the load and created after it (one sort each instead of a random
   * B-tree insert per row), in the same transaction. Batches go straight into that transaction, without a
   * savepoint each (savepoints journal every page they touch); if an event throws, the whole rebuild is rolled
   * back and run again isolating (see applyIsolating), so only the failing event is parked. A failure of the
   * file itself is thrown. Also the operator's retry of parked events, once the code is fixed: they land in
   * order with the rest, and what still fails is parked again.
   */
  rebuildMany(names: readonly string[], options: RebuildOptions = {}): void {
    const targets: Target[] = [...new Set(names)].map((name) => ({
      projection: this.projectionNamed(name),
      types: this.types.get(name)!,
    }));
    this.lastRebuildPhases = null;
    if (targets.length === 0) return;
    const types = new Set(targets.flatMap((t) => [...t.types]));
    const phases: RebuildPhases = { resetMs: 0, readMs: 0, foldMs: 0, finishMs: 0, indexMs: 0, attempts: 0 };
    let mark = 0;
    const lap = (phase: Exclude<keyof RebuildPhases, 'attempts'>) => {
      const now = performance.now();
      phases[phase] += now - mark;
      mark = now;
    };
    // Every type of the log taken: no filter, the store walks its primary key. Otherwise "+type IN (…)".
    const eventTypes = this.projections.every((p) => p.eventTypes.every((type) => types.has(type))) ? undefined : [...types];
    this.withCache(REBUILD_CACHE_KIB, () => this.inIsolation((mode) => {
      phases.attempts += 1;
      mark = performance.now();
      const head = options.upTo ?? this.headNow();
      // 1. Empty each projection: its parks (what still fails is parked again in this same transaction; what a fix
      //    made applicable is no longer reported), its secondary indexes, its rows, its checkpoint.
      for (const { projection } of targets) {
        this.parked.forgetParked(projection.name);
        for (const index of projection.secondaryIndexes ?? []) this.db.exec(`DROP INDEX IF EXISTS ${index.name}`);
        projection.reset(this.db);
        this.checkpointStore.rewind(projection.name);
      }
      // 2. Fast mode folds into each projection's bulk load (rows held in memory, each written once), linear in the
      //    log; the isolating retry applies batch by batch, so a bad event is parked alone.
      const loading = targets.map((t) => ({ ...t, bulk: mode === 'fast' ? t.projection.bulkLoad?.(this.db) : undefined }));
      lap('resetMs');
      // 3. One pass over the log. The IMMEDIATE transaction holds the write lock: nothing is appended past `head` meanwhile.
      for (let after = 0; after < head; ) {
        const read = this.store.readAllSync({ after, maxCount: REBUILD_BATCH, eventTypes });
        lap('readMs');
        // Only with upTo can the log hold events past `head` (appended since); they are left out.
        const events = read.length > 0 && read[read.length - 1].globalPosition > head ? read.filter((e) => e.globalPosition <= head) : read;
        if (events.length === 0) break;
        this.applyEvents(loading, events, mode === 'fast' ? 'fast' : 'batch-then-isolating');
        lap('foldMs');
        after = events[events.length - 1].globalPosition;
        if (read.length < REBUILD_BATCH) break;
      }
      // 4. The rows still held, then the secondary indexes (one sort each), then the checkpoints.
      for (const { bulk } of loading) bulk?.finish();
      lap('finishMs');
      // Small PMAs for CREATE INDEX's sorter (sorted in the CPU's cache, then merged), see INDEX_BUILD_CACHE_KIB.
      this.db.pragma(`cache_size = ${-INDEX_BUILD_CACHE_KIB}`);
      for (const { projection } of targets) {
        for (const index of projection.secondaryIndexes ?? []) this.db.exec(index.sql);
        if (head > 0) this.checkpointStore.save(projection.name, head);
      }
      lap('indexMs');
    }));
    this.lastRebuildPhases = phases;
  }

  private headNow(): number {
    this.headStatement ??= this.db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck();
    return this.headStatement.get() as number;
  }

  /** Runs `work` with the connection's page cache at least `kib` KiB, then puts the setting back. */
  private withCache<T>(kib: number, work: () => T): T {
    const previous = this.db.pragma('cache_size', { simple: true }) as number;
    // A positive setting counts pages, a negative one KiB: compare in KiB.
    const previousKib = previous < 0 ? -previous : (previous * (this.db.pragma('page_size', { simple: true }) as number)) / 1024;
    if (previousKib >= kib) return work();
    this.db.pragma(`cache_size = ${-kib}`);
    try {
      return work();
    } finally {
      this.db.pragma(`cache_size = ${previous}`);
    }
  }

  /** Resolves once each named projection (all by default) has processed the log up to `position`. */
  waitFor(position: number, names?: readonly string[], timeoutMs?: number): Promise<void> {
    const waiting = this.waiters.wait(position, names, timeoutMs, this.checkpoints());
    // A pass held back for more uses runs now: its events may be the ones waited for.
    this.hurry?.();
    return waiting;
  }

  /**
   * Resolves once every projection has applied the log as far as its head now (at once when it has): what a
   * person's read waits for, so uses held back for the next pass (options.coalesce) are in the list and the feed
   * they read. Events another process appended to the file are waited for until this process's poll finds them
   * (the store's pollIntervalMs). Never rejects: a read side that is stopped, failing, or slower than `timeoutMs` is
   * read as it is.
   */
  async fresh(timeoutMs = 1000): Promise<void> {
    if (this.loop === null || this.failure !== null) return;
    await this.waitFor(this.headNow(), undefined, timeoutMs).catch(() => undefined);
  }

  /** Waits until `ms` after the last pass when options.coalesce allows it (see there); true if it waited. */
  private async pauseForMore(events: readonly RecordedEvent[], signal: AbortSignal): Promise<boolean> {
    const ms = (this.options.coalesce?.ms ?? 0) - (performance.now() - this.lastPass.at);
    if (ms <= 0 || signal.aborted || this.lastPass.full || this.waiters.size > 0) return false;
    if (!events.every((e) => this.coalesced.has(e.type))) return false;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.hurry = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.hurry = done;
    });
    return true;
  }

  checkpoints(): Record<string, number> {
    return this.checkpointStore.loadAll(this.names);
  }

  status(): { projections: ProjectionStatus[]; error: string | null } {
    const head = this.headNow();
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

  /**
   * The live loop's batch (every type), ONE transaction for every projection: each takes its types past its
   * checkpoint, and every checkpoint moves to the batch's end with the rows. That transaction need not be durable
   * (the embedded runtime's connection commits with synchronous=NORMAL, no fsync): a pass lost to a power failure
   * rolls back rows and checkpoints together, and is applied again from the log, which is durable.
   */
  private follow(events: RecordedEvent[]): void {
    const to = events[events.length - 1].globalPosition;
    this.inIsolation((mode) => {
      const behind = this.projections
        .map((p) => ({ target: { projection: p, types: this.types.get(p.name)! }, from: this.checkpointStore.load(p.name) }))
        .filter(({ from }) => from < to);
      const past = (from: number) => (events[0].globalPosition > from ? events : events.filter((e) => e.globalPosition > from));
      // Usually every checkpoint is where the last pass left it: one call, each event's schema checked once.
      if (behind.every(({ from }) => from === behind[0].from)) {
        if (behind.length > 0) this.applyEvents(behind.map((b) => b.target), past(behind[0].from), mode);
      } else {
        for (const { target, from } of behind) this.applyEvents([target], past(from), mode);
      }
      for (const { target } of behind) this.checkpointStore.save(target.projection.name, to);
    });
    this.failure = null;
    if (this.waiters.size > 0) this.waiters.release(this.checkpoints());
  }

  /** Reads one batch of the projection's types, applies it and moves the checkpoint; the caller holds the transaction. True at the head. */
  private readAndApply(projection: SqliteProjection, mode: Mode): boolean {
    const head = this.headNow();
    const from = this.checkpointStore.load(projection.name);
    const events = this.store.readAllSync({ after: from, maxCount: BATCH, eventTypes: projection.eventTypes });
    this.applyEvents([{ projection, types: this.types.get(projection.name)! }], events, mode);
    // A short batch means nothing of interest lies between it and the head read in this transaction.
    const caughtUp = events.length < BATCH;
    const to = caughtUp ? head : events[events.length - 1].globalPosition;
    if (to > from) this.checkpointStore.save(projection.name, to);
    return caughtUp;
  }

  /**
   * Hands each event to every target whose types include it, in order.
   * 1. An event that does not fit its schema is parked without being tried (checked once, whatever the targets).
   * 2. Fast mode applies the rest as one batch straight into the caller's transaction: a throw rolls the whole
   *    batch back, and the caller runs it again isolating (see inIsolation).
   * 3. Isolating mode gives each event a savepoint: a failure of the event's own (not of the file) rolls back
   *    that event alone, which is parked, and the batch goes on. 'batch-then-isolating' (a rebuild's second
   *    attempt, where most batches are good) first tries the whole batch in one savepoint, and isolates only
   *    the batch that throws.
   */
  private applyEvents(targets: readonly Target[], events: readonly RecordedEvent[], mode: Mode | 'batch-then-isolating'): void {
    const problems = new Map<RecordedEvent, string>();
    const wanted = (event: RecordedEvent) => targets.some((t) => t.types.has(event.type));
    for (const event of events) {
      const problem = wanted(event) ? schemaProblemOf(event) : null;
      if (problem !== null) problems.set(event, problem);
    }
    for (const { projection, types, bulk } of targets) {
      const good: RecordedEvent[] = [];
      for (const event of events) {
        if (!types.has(event.type)) continue;
        const problem = problems.get(event);
        if (problem === undefined) good.push(event);
        else this.park(projection, event, problem);
      }
      if (good.length === 0) continue;
      if (mode === 'fast') bulk ? bulk.apply(good) : projection.apply(good, this.db);
      else if (mode === 'isolating') this.applyIsolating(projection, good);
      else {
        try {
          this.db.transaction(() => projection.apply(good, this.db))();
        } catch (error) {
          if (isSqliteStoreFailure(error)) throw error;
          this.applyIsolating(projection, good);
        }
      }
    }
  }

  private applyIsolating(projection: SqliteProjection, events: readonly RecordedEvent[]): void {
    for (const event of events) {
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
