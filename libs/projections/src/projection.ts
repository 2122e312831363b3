import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';

/**
 * One read model, folded from the log by its runner, on either store.
 *
 * apply() gets a batch and the transaction that also moves the checkpoint (`Tx`: SQLite's db inside its
 * transaction, MongoDB's { db, session }), so a crash never leaves a half-applied batch. It is idempotent on
 * its own (version guards on the last position, the event's position as a key, MAX/$max): a batch delivered
 * twice, by a rewound checkpoint or by a second process, changes nothing.
 *
 * `Db` is the store outside a transaction (init, reset); `Done` is void on SQLite, Promise<void> on MongoDB.
 * The name includes a version (keys_list_v1): a new version is a new table, built beside the old one.
 */
export interface Projection<Tx, Db = Tx, Done = void> {
  readonly name: string;
  readonly eventTypes: readonly string[];
  /** Creates its tables (collections) and indexes if missing; safe to run again. */
  init(db: Db): Done;
  /** Removes everything it wrote, before a rebuild from zero. */
  reset(db: Db): Done;
  apply(events: readonly RecordedEvent[], tx: Tx): Done;
}

/** A secondary index of a SQLite read model: `sql` is its `CREATE INDEX IF NOT EXISTS <name> …` statement. */
export interface SqliteIndex {
  readonly name: string;
  readonly sql: string;
}

/** `CREATE INDEX IF NOT EXISTS name ON table (columns)`, with its name kept for the DROP. */
export const sqliteIndex = (name: string, table: string, columns: string): SqliteIndex => ({
  name,
  sql: `CREATE INDEX IF NOT EXISTS ${name} ON ${table} (${columns})`,
});

/**
 * A rebuild's fold of one projection, from empty tables, inside the rebuild's one transaction: it may hold rows
 * in memory and write each one once, later (at the latest in finish()), instead of reading and rewriting rows by
 * key for every batch, which grows faster than the log (random B-tree look-ups and rewrites, on pages that no
 * longer fit the cache). What it leaves after finish() must equal what apply() leaves for the same batches.
 */
export interface SqliteBulkLoad {
  /** One batch, as apply() would get it (same boundaries: apply's per-batch rules are kept). */
  apply(events: readonly RecordedEvent[]): void;
  /** Writes every row still held; before the secondary indexes are created. */
  finish(): void;
}

/** On the embedded profile: synchronous, better-sqlite3 inside the runner's transaction. */
export interface SqliteProjection extends Projection<SqliteDb> {
  /**
   * Its secondary indexes (not the primary keys or UNIQUE constraints apply() relies on): a rebuild drops them
   * before its bulk load and creates them after, inside its one transaction. None when absent.
   */
  readonly secondaryIndexes?: readonly SqliteIndex[];
  /** The tables it writes (what must never be dropped as a retired version's). */
  readonly tables: readonly string[];
  /** A rebuild's in-memory fold (SqliteBulkLoad), started after reset(); without it a rebuild calls apply(). */
  bulkLoad?(db: SqliteDb): SqliteBulkLoad;
}

/** The event a recorded one carries, as the projections read it (its schema was checked by the runner). */
export const keyEventOf = (recorded: RecordedEvent): KeyEvent => ({ type: recorded.type, data: recorded.data }) as KeyEvent;
