import type { RecordedEvent, SqliteDb } from '#event-store';

/**
 * One read model, folded from the log by a checkpointed subscription of its own.
 *
 * apply() runs inside the transaction that also moves the checkpoint, so a crash never leaves a
 * half-applied batch; and apply() is idempotent on its own (version guards, event ids as keys), so
 * even an event delivered twice changes nothing.
 *
 * The name includes a version (keys_list_v1): a new version is a new table, rebuilt beside the old one.
 */
export interface SqliteProjection {
  readonly name: string;
  readonly eventTypes: readonly string[];
  /** Creates its tables and indexes if missing. */
  init(db: SqliteDb): void;
  /** Removes every row, before a rebuild from zero. */
  reset(db: SqliteDb): void;
  apply(event: RecordedEvent): void;
}
