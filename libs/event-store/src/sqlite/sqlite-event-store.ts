import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedStreamState,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port.js';
import { APPEND_SQL, appendRows, isWrongVersion, type AppendedRows, type AppendRequest } from './append-rows.js';
import { RecentRows, type EventRow } from './recent-rows.js';
import type { SqliteDb } from './open-sqlite.js';
import { SqliteWriterThread, type AppendOutcome } from './sqlite-writer-thread.js';
import { StoreUnavailableError, storageFailureCode } from './store-unavailable.js';

export * from './store-unavailable.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT    NOT NULL UNIQUE,
  stream_id       TEXT    NOT NULL,
  stream_position INTEGER NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL,
  UNIQUE (stream_id, stream_position)
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, global_position);
CREATE TABLE IF NOT EXISTS store_write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at TEXT NOT NULL);
`;

/** Whether this store's writes go through; what /health reports as the store's state. */
export type WriteStatus = { writable: true } | { writable: false; error: string; since: string };

const toRecorded = <T>(row: EventRow): RecordedEvent<T> => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  streamPosition: row.stream_position,
  globalPosition: row.global_position,
  type: row.type,
  data: JSON.parse(row.data) as T,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  recordedAt: row.recorded_at,
});

export interface SqliteEventStoreOptions {
  /** How often a subscription looks for events appended by another process sharing the file. */
  pollIntervalMs?: number;
  now?: () => Date;
  /**
   * Where appends commit. 'inline' (default): on the connection given, synchronously (the thread waits for the
   * fsync). 'worker': in a worker thread owning a connection of its own to the same file (synchronous=FULL), so
   * the fsync does not stop this thread; appends that arrive while a group commits form the next group, one
   * transaction and one fsync (groups grow with load). Reads stay on the connection given. A file only (not :memory:).
   */
  writer?: 'inline' | 'worker';
}

/** An append as the writer takes it: data and metadata serialized here, once (append-rows.ts). */
const toRequest = (streamId: string, events: readonly NewEvent[], expected: ExpectedStreamState, recordedAt: string): AppendRequest => ({
  streamId,
  events: events.map((e) => ({ eventId: e.eventId, type: e.type, data: JSON.stringify(e.data), metadata: JSON.stringify(e.metadata ?? {}) })),
  expected,
  recordedAt,
});

/** The rows an append inserted, as SQLite returns them: its events' positions are consecutive, ending at the result's. */
const rowsOf = (request: AppendRequest, result: AppendedRows): EventRow[] => {
  const n = request.events.length;
  return request.events.map((e, i) => ({
    global_position: result.lastGlobalPosition - (n - 1 - i),
    event_id: e.eventId,
    stream_id: request.streamId,
    stream_position: result.nextExpectedStreamPosition - (n - 1 - i),
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    recorded_at: request.recordedAt,
  }));
};

/** A UTF-16 code unit not part of a pair (with the u flag, a pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

const toResult = ({ nextExpectedStreamPosition, lastGlobalPosition }: AppendedRows): AppendResult => ({ nextExpectedStreamPosition, lastGlobalPosition });

/**
 * How many of its last rows this process keeps for its live subscriptions (1024 to 2048): the projection runner
 * reads every usagePassIntervalMs (50 ms, ~150 uses at 3,000 a second), so this leaves a follower several passes
 * behind still reading from memory, without holding seconds of rows for the garbage collector to carry. A follower
 * further behind reads the file, as before.
 */
const RECENT_ROWS = 1024;
/**
 * …and 2 to 4 million characters of their data and metadata (up to twice that in bytes, plus the rows' other columns):
 * a run of audit digests, ~55 KB each, is trimmed sooner.
 */
const RECENT_CHARS = 2_000_000;

interface QueuedAppend {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** The event types a set of appends wrote: what a filtered follower is woken by. */
const typesOf = (appends: readonly { readonly events: readonly { readonly type: string }[] }[]): ReadonlySet<string> => {
  const types = new Set<string>();
  for (const a of appends) for (const e of a.events) types.add(e.type);
  return types;
};

/**
 * Groups sent to the writer thread before the first is answered. With two, the next group is on its way while one
 * commits, and the thread commits what it has received together (one fsync): it does not idle while this thread
 * answers the last group. Measured (experiment-usage-cost, 5 alternated sittings each): durable/off 0.72-0.82 with
 * 2 or 3, 0.67-0.79 with 1, inside this machine's noise but never below it; more in flight made groups smaller.
 */
const GROUPS_IN_FLIGHT = 2;

/**
 * The event store on one SQLite file (better-sqlite3). Appends run in an IMMEDIATE transaction, so the
 * expected-state check and the insert are atomic across every connection and process using the file.
 */
export class SqliteEventStore implements EventStore {
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly now: () => Date;
  private readonly stmts;
  private readonly readAllByTypes = new Map<string, Database.Statement>();
  private readonly appendTx;
  private closed = false;
  /** The last append that failed for a storage reason, until an append or a probe succeeds. */
  private writeFailure: { error: string; since: string } | null = null;
  /** writer: 'worker': the thread, the appends waiting for a group to be sent, and the exclusive writes waiting for none to be in flight. */
  private readonly writer: SqliteWriterThread | null = null;
  private queued: QueuedAppend[] = [];
  /** Groups sent to the writer thread and not yet answered (at most GROUPS_IN_FLIGHT). */
  private groupsInFlight = 0;
  private exclusive: (() => void)[] = [];
  /** The rows this store appended last, for its subscriptions (recent-rows.ts). */
  private readonly recent = new RecentRows(RECENT_ROWS, RECENT_CHARS);
  /** When rows were last kept (performance.now()): how long a subscription may be told to wait for its own groups. */
  private lastKeptAt = -Infinity;
  /** Subscription reads served from those rows, and from the file (for the tests and the bench). */
  private readonly reads = { fromMemory: 0, fromFile: 0 };

  constructor(
    private readonly db: SqliteDb,
    options: SqliteEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.now = options.now ?? (() => new Date());
    this.appended.setMaxListeners(0);
    db.exec(SCHEMA);
    this.stmts = {
      streamPosition: db.prepare(APPEND_SQL.streamPosition).pluck(),
      insert: db.prepare(APPEND_SQL.insert),
      byEventId: db.prepare(APPEND_SQL.byEventId),
      readStream: db.prepare('SELECT * FROM events WHERE stream_id = ? AND stream_position >= ? ORDER BY stream_position'),
      readAll: db.prepare('SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?'),
      head: db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck(),
      headOfType: db.prepare('SELECT MAX(global_position) FROM events WHERE type = ?').pluck(),
      probe: db.prepare('INSERT INTO store_write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
    };
    if (options.writer === 'worker' && !db.memory) this.writer = new SqliteWriterThread(db.name);
    this.appendTx = db.transaction((request: AppendRequest) => this.appendInTransaction(request));
  }

  private appendInTransaction(request: AppendRequest): AppendedRows {
    try {
      return appendRows(this.stmts, request);
    } catch (error) {
      throw isWrongVersion(error) ? new WrongExpectedVersionError(error.streamId, error.expected, error.actual) : error;
    }
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedStreamState): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const request = toRequest(streamId, events, expected, this.now().toISOString());
    if (this.writer) return this.appendInWriter(request);
    let result: AppendedRows;
    try {
      // better-sqlite3 rolls the transaction back when anything in it throws, COMMIT included (SQLITE_FULL
      // while the WAL grows, SQLITE_IOERR on fsync): an append that throws wrote nothing, one that returns
      // was committed and fsynced (synchronous=FULL). No false success either way.
      result = this.appendTx.immediate(request);
    } catch (error) {
      throw this.storageFailure(error, 'append');
    }
    this.writeFailure = null;
    // Inside a caller's own transaction the rows are not committed yet (that one may still roll back): not kept.
    if (!this.db.inTransaction) this.keep(request, result);
    this.appended.emit('append', result.lastGlobalPosition, typesOf([{ events }]));
    return toResult(result);
  }

  private appendInWriter(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queued.push({ request, resolve, reject });
      this.sendGroup();
    });
  }

  /** Sends what is queued as one group, unless GROUPS_IN_FLIGHT are in flight or an exclusive write waits for its turn. */
  private sendGroup(): void {
    if (this.groupsInFlight >= GROUPS_IN_FLIGHT || this.exclusive.length > 0 || this.queued.length === 0) return;
    const group = this.queued;
    this.queued = [];
    this.groupsInFlight += 1;
    this.writer!.append(group.map((q) => q.request)).then(
      (outcomes) => this.groupDone(group, outcomes),
      (error: unknown) => this.groupDone(group, group.map(() => ({ error: { message: String(error), code: (error as { code?: string }).code } }))),
    );
  }

  private groupDone(group: QueuedAppend[], outcomes: AppendOutcome[]): void {
    this.groupsInFlight -= 1;
    let last = 0;
    const written: AppendRequest[] = [];
    for (const [i, q] of group.entries()) {
      const outcome = outcomes[i];
      if ('ok' in outcome) {
        last = Math.max(last, outcome.ok.lastGlobalPosition);
        written.push(q.request);
        this.keep(q.request, outcome.ok);
        q.resolve(toResult(outcome.ok));
      } else if ('wrong' in outcome) {
        const { streamId, expected, actual } = outcome.wrong;
        q.reject(new WrongExpectedVersionError(streamId, expected, actual));
      } else {
        const { message, code, name } = outcome.error;
        const error = Object.assign(new Error(message), code === undefined ? {} : { code }, name ? { name } : {});
        q.reject(this.storageFailure(error, 'append'));
      }
    }
    if (last > 0) {
      this.writeFailure = null;
      this.appended.emit('append', last, typesOf(written));
    }
    // Exclusive writes waiting for the groups in flight run once none is, synchronously, before the next is sent.
    if (this.groupsInFlight === 0) for (const run of this.exclusive.splice(0)) run();
    this.sendGroup();
  }

  /**
   * Keeps the rows an append inserted for this process's subscriptions. Not when a text column would not read back as
   * written (a lone surrogate in an id or a type: SQLite stores U+FFFD instead), which ends the run instead: rows
   * from memory must be what the file returns. Keygate's types are constants and its ids generated; this is the store
   * not relying on it.
   */
  private keep(request: AppendRequest, result: AppendedRows): void {
    if (!result.inserted) return;
    const wellFormed = !LONE_SURROGATE.test(request.streamId) && request.events.every((e) => !LONE_SURROGATE.test(e.eventId) && !LONE_SURROGATE.test(e.type));
    if (!wellFormed) return this.recent.clear();
    this.recent.add(rowsOf(request, result));
    this.lastKeptAt = performance.now();
  }

  /**
   * Runs a synchronous write transaction on the connection given to this store (a projection pass) while the
   * writer thread holds no transaction, so it never waits on SQLite's write lock (busy_timeout would block this
   * thread): at once if no group is in flight, else as soon as none is, before the next group is sent.
   * Inline writer: at once.
   */
  runExclusive<T>(work: () => T): Promise<T> {
    if (!this.writer || this.groupsInFlight === 0) return new Promise((resolve) => resolve(work()));
    return new Promise((resolve, reject) =>
      this.exclusive.push(() => {
        try {
          resolve(work());
        } catch (error) {
          reject(error);
        }
      }),
    );
  }

  /** A storage failure becomes a StoreUnavailableError, remembered for writeStatus(); anything else as it was. */
  private storageFailure(error: unknown, operation: 'append' | 'probe'): unknown {
    const code = storageFailureCode(error);
    if (code === null) return error;
    const since = this.writeFailure?.since ?? this.now().toISOString();
    this.writeFailure = { error: `${code}: ${error instanceof Error ? error.message : String(error)}`, since };
    return error instanceof StoreUnavailableError ? error : new StoreUnavailableError(operation, code, { cause: error });
  }

  /**
   * Whether writes go through. Costs nothing while the last append succeeded; after a storage failure it
   * tries one tiny committed write (one row of store_write_probe) each time it is asked, so /health turns
   * ready again as soon as space returns, not only after the next user's append.
   */
  writeStatus(): WriteStatus {
    if (this.writeFailure === null) return { writable: true };
    try {
      this.db.transaction(() => this.stmts.probe.run(this.now().toISOString())).immediate();
      this.writeFailure = null;
      return { writable: true };
    } catch (error) {
      this.storageFailure(error, 'probe');
      return { writable: false, ...this.writeFailure! };
    }
  }

  async readStream<T>(streamId: string, { fromPosition = 0 }: ReadStreamOptions = {}): Promise<ReadStreamResult<T>> {
    // One statement, one snapshot: it starts one event early, so the event the caller already holds (if still there)
    // tells the stream's position when nothing is new, without a second query another process could append between.
    const from = Math.max(0, fromPosition - 1);
    const rows = this.stmts.readStream.all(streamId, from) as EventRow[];
    const currentStreamPosition = rows.length ? rows[rows.length - 1].stream_position : this.lastPositionBefore(streamId, from);
    const events = rows.filter((r) => r.stream_position >= fromPosition).map((r) => toRecorded<T>(r));
    return { currentStreamPosition, events };
  }

  /** Only for a stream shorter than the caller expected (or missing): its last position, -1 if it does not exist. */
  private lastPositionBefore(streamId: string, from: number): number {
    return from === 0 ? -1 : ((this.stmts.streamPosition.get(streamId) as number | null) ?? -1);
  }

  /** Synchronous read, for projections that apply a batch inside one SQLite transaction. */
  readAllSync<T>({ after, maxCount, eventTypes, before }: ReadAllOptions): RecordedEvent<T>[] {
    const rows =
      before !== undefined
        ? (this.readAllStatement(eventTypes ?? [], true).all(after, before, ...(eventTypes ?? []), maxCount) as EventRow[])
        : eventTypes?.length
          ? (this.readAllStatement(eventTypes, false).all(after, ...eventTypes, maxCount) as EventRow[])
          : (this.stmts.readAll.all(after, maxCount) as EventRow[]);
    return rows.map((r) => toRecorded<T>(r));
  }

  async readAll<T>(options: ReadAllOptions): Promise<RecordedEvent<T>[]> {
    return this.readAllSync<T>(options);
  }

  private readAllStatement(types: readonly string[], bounded: boolean): Database.Statement {
    // Not join(','): ['A,B'] and ['A', 'B'] would share a statement with the wrong number of parameters.
    const key = JSON.stringify([types, bounded]);
    let stmt = this.readAllByTypes.get(key);
    if (!stmt) {
      stmt = this.db.prepare(
        // "+type" keeps SQLite off the type index: walking the primary key from the checkpoint and stopping at
        // the limit beats fetching every row of each type and sorting them (2x on a 100k-event rebuild).
        `SELECT * FROM events WHERE global_position > ?${bounded ? ' AND global_position < ?' : ''}
         ${types.length ? `AND +type IN (${types.map(() => '?').join(',')})` : ''}
         ORDER BY global_position LIMIT ?`,
      );
      this.readAllByTypes.set(key, stmt);
    }
    return stmt;
  }

  async *subscribeToAll<T>({ after, eventTypes, signal }: SubscribeOptions): AsyncIterable<RecordedEvent<T>> {
    const BATCH = 500;
    let checkpoint = after;
    while (!signal?.aborted && !this.closed) {
      const { batch, head } = this.readBatchAndHead<T>(checkpoint, BATCH, eventTypes);
      for (const event of batch) {
        if (signal?.aborted || this.closed) return;
        yield event;
        checkpoint = event.globalPosition;
      }
      // A short batch read in the same snapshot as the head means nothing of interest lies before the head:
      // start there next time, or every wake-up would rescan the events the filter skips (uses, for a
      // lifecycle subscriber) since the last match.
      if (batch.length < BATCH) checkpoint = Math.max(checkpoint, head);
      // Wait only after an empty read: the read and the listener are set up in the same tick, so no append
      // slips between them (after yielding, one may have happened while the consumer ran).
      if (batch.length === 0) await this.nextAppend(signal, eventTypes);
    }
  }

  private readBatchAndHead<T>(after: number, maxCount: number, eventTypes?: readonly string[]) {
    // What this process appended last comes from memory (recent-rows.ts), the log being append-only:
    // 1. when nothing else was written since: the head, read in this same synchronous step, is the last row kept, so
    //    the rows are exactly what the read in 3 would return;
    // 2. while groups of this process are in flight (committed perhaps, not answered yet), up to the last row kept, as
    //    the log was then: a contiguous run is a prefix of the log, whoever wrote after it. Told "nothing new" only while
    //    rows were kept within the poll interval: should this process's groups stop adding rows (failing, refused),
    //    the subscription reads the file within about two polls, and so sees another process's appends as before;
    // 3. otherwise from the file: the batch and the head in one snapshot.
    const head = this.stmts.head.get() as number;
    const asOfLastKept =
      this.groupsInFlight > 0 &&
      this.recent.covers(after) &&
      (after < this.recent.to || performance.now() - this.lastKeptAt < this.pollIntervalMs);
    const upTo = this.recent.serves(after, head) ? head : asOfLastKept ? this.recent.to : null;
    if (upTo !== null) {
      this.reads.fromMemory += 1;
      return { batch: this.recent.read(after, maxCount, eventTypes).map((r) => toRecorded<T>(r)), head: upTo };
    }
    this.reads.fromFile += 1;
    return this.db.transaction(() => ({
      batch: this.readAllSync<T>({ after, maxCount, eventTypes }),
      head: this.stmts.head.get() as number,
    }))();
  }

  /** How many subscription reads were served from this process's last appends, and how many from the file. */
  subscriptionReads(): { fromMemory: number; fromFile: number } {
    return { ...this.reads };
  }

  /** Resolves on the next append in this process, after the poll interval (other processes), or on abort. */
  waitForAppend(signal?: AbortSignal): Promise<void> {
    return this.nextAppend(signal);
  }

  /**
   * Resolves on the next append in this process (of one of `eventTypes`, when given: a lifecycle follower is not
   * woken by every group commit of uses, issue 11), after the poll interval (other processes), or on abort.
   */
  private nextAppend(signal?: AbortSignal, eventTypes?: readonly string[]): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('append', onAppend);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const onAppend = (_position: number, types?: ReadonlySet<string>) => {
        if (!eventTypes?.length || types === undefined || eventTypes.some((t) => types.has(t))) done();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.appended.on('append', onAppend);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async headPosition(eventTypes?: readonly string[]): Promise<number> {
    if (!eventTypes) return this.stmts.head.get() as number;
    // One index probe per type (events_by_type): MAX over an IN list would scan the range instead.
    let head = 0;
    for (const type of eventTypes) head = Math.max(head, (this.stmts.headOfType.get(type) as number | null) ?? 0);
    return head;
  }

  async close(): Promise<void> {
    while (this.groupsInFlight > 0 || this.queued.length > 0) await this.nextAppend();
    await this.writer?.close();
    this.closed = true;
    this.recent.clear();
    this.appended.emit('append', 0);
    this.appended.removeAllListeners();
  }
}
