import type { SqliteDb } from '#event-store';
import { PARKED_TABLE } from '../parking/sqlite-parked-events.js';

/**
 * Read models of versions this code no longer writes, on the embedded profile's file: each was built beside its
 * successor at the first start after an upgrade and left in place (nothing reads it), under the name its
 * checkpoint and parked events were kept by. Dropping them is the operator's call (retired-read-models CLI),
 * once no process of an older version shares the file.
 */
export const RETIRED_SQLITE_READ_MODELS: readonly { name: string; tables: readonly string[]; successor: string }[] = [
  { name: 'keys_list_v1', tables: ['keys_list_v1'], successor: 'keys_list_v2' },
  { name: 'key_lookup_v1', tables: ['key_lookup_v1'], successor: 'key_lookup_v2' },
  { name: 'activity_v1', tables: ['activity_v1', 'activity_keys_v1'], successor: 'activity_v2' },
];

/** What a file still holds of one retired read model. */
export interface RetiredReadModel {
  name: string;
  /** The current version's read model that replaced it. */
  successor: string;
  /** Its tables present in the file, with their row counts. */
  tables: { name: string; rows: number }[];
  /** Its row in projection_checkpoints (position), if any. */
  checkpoint: number | null;
  /** Its rows in projection_parked (parked or skipped). */
  parked: number;
  /**
   * Whether the version replacing it is built in the file: it has a checkpoint (a process of this version built it
   * from the log), or the log is empty and its table exists (nothing to build: no checkpoint is ever saved then).
   */
  succeeded: boolean;
}

const tableExists = (db: SqliteDb, name: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) !== undefined;

/**
 * The retired read models the file still holds something of (tables, checkpoint or parked events). With `rows`,
 * each table's row count (a scan of it: not while holding the write lock).
 */
export const retiredReadModels = (db: SqliteDb, { rows = true }: { rows?: boolean } = {}): RetiredReadModel[] => {
  const checkpoints = tableExists(db, 'projection_checkpoints');
  const parked = tableExists(db, PARKED_TABLE);
  const checkpointOf = (name: string): number | null =>
    checkpoints ? ((db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').pluck().get(name) as number | undefined) ?? null) : null;
  const emptyLog = !tableExists(db, 'events') || db.prepare('SELECT 1 FROM events LIMIT 1').get() === undefined;
  return RETIRED_SQLITE_READ_MODELS.map(({ name, tables, successor }) => ({
    name,
    successor,
    tables: tables
      .filter((t) => tableExists(db, t))
      .map((t) => ({ name: t, rows: rows ? (db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number) : Number.NaN })),
    checkpoint: checkpointOf(name),
    parked: parked ? (db.prepare(`SELECT COUNT(*) FROM ${PARKED_TABLE} WHERE projection = ?`).pluck().get(name) as number) : 0,
    succeeded: checkpointOf(successor) !== null || (emptyLog && tableExists(db, successor)),
  })).filter((r) => r.tables.length > 0 || r.checkpoint !== null || r.parked > 0);
};

/**
 * Drops what the file holds of the retired read models (their tables with their indexes, their checkpoint and
 * parked rows) in one IMMEDIATE transaction (no row counts inside it: the write lock is held only for the drops),
 * and returns what it dropped. Drops nothing, and throws, if a retired table is one of `currentTables` (the tables
 * the current projections write: a safety net against a list gone stale), or if a retired read model's successor
 * has no checkpoint yet (no process of this version has built it: the file may still be an older version's).
 * The file keeps its size: SQLite reuses the freed pages for later writes (VACUUM, with Keygate stopped, gives
 * them back to the file system).
 */
export const dropRetiredReadModels = (db: SqliteDb, currentTables: readonly string[]): RetiredReadModel[] => {
  const clash = RETIRED_SQLITE_READ_MODELS.flatMap((r) => r.tables).filter((t) => currentTables.includes(t));
  if (clash.length > 0) throw new Error(`refusing to drop ${clash.join(', ')}: a current projection writes it`);
  return db.transaction(() => {
    const found = retiredReadModels(db, { rows: false });
    const unbuilt = found.filter((r) => !r.succeeded);
    if (unbuilt.length > 0) {
      const names = unbuilt.map((r) => `${r.name} (${r.successor} not built)`);
      throw new Error(`refusing to drop ${names.join(', ')}: start this version once first (it builds its read models from the log)`);
    }
    for (const r of found) {
      for (const t of r.tables) db.exec(`DROP TABLE ${t.name}`);
      if (r.checkpoint !== null) db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(r.name);
      if (r.parked > 0) db.prepare(`DELETE FROM ${PARKED_TABLE} WHERE projection = ?`).run(r.name);
    }
    return found;
  }).immediate();
};
