import type { RecordedEvent, SqliteDb } from '#event-store';
import type { KeyEvent } from '#keys';
import { keyEventOf, type SqliteIndex, type SqliteProjection } from '../projection.js';

/**
 * What every SQLite projection does the same way: its DDL and secondary indexes at init and its statements
 * prepared once, a DELETE of each of its tables at reset, and a batch applied in order with those statements, inside the runner's
 * transaction (a batch is already one transaction: nothing to gain from a multi-row statement).
 */
export abstract class SqliteTablesProjection<Statements> implements SqliteProjection {
  protected stmts!: Statements;

  protected constructor(
    readonly name: string,
    readonly eventTypes: readonly string[],
    readonly tables: readonly string[],
    private readonly ddl: string,
    readonly secondaryIndexes: readonly SqliteIndex[],
    private readonly prepare: (db: SqliteDb) => Statements,
  ) {}

  init(db: SqliteDb): void {
    db.exec(this.ddl);
    for (const index of this.secondaryIndexes) db.exec(index.sql);
    this.stmts = this.prepare(db);
  }

  reset(db: SqliteDb): void {
    for (const table of this.tables) db.exec(`DELETE FROM ${table}`);
  }

  apply(events: readonly RecordedEvent[]): void {
    for (const recorded of events) this.applyEvent(keyEventOf(recorded), recorded);
  }

  protected abstract applyEvent(event: KeyEvent, recorded: RecordedEvent): void;
}
