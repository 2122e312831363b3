import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type SqliteDb } from '#event-store';
import { embeddedReadSide } from '#projections';
import { compareOrdered, type Row } from './ordered-diff.js';
import { REPLAY_MAX_SHOWN_DEFAULT, totalReplayDifferences, type ProjectionReplay, type ReplayOptions, type ReplayReport } from './replay-report.js';

export interface EmbeddedReplayOptions extends ReplayOptions {
  /** Where the scratch file is made (and removed after). Default: the system's temporary directory. */
  scratchDir?: string;
}

/** The runner's checkpoint table (SqliteCheckpoints): never a read model, not compared. */
const CHECKPOINTS_TABLE = 'projection_checkpoints';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Same value, same SQLite type: 1 and '1' differ; blobs by their bytes. */
const sameSqliteValue = (a: unknown, b: unknown): boolean => a === b || (Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b));

interface Column {
  name: string;
  /** 1-based position in the primary key, 0 when not part of it. */
  pk: number;
}

const columnsOf = (db: SqliteDb, table: string): Column[] =>
  db.prepare('SELECT name, pk FROM pragma_table_info(?) ORDER BY cid').all(table) as Column[];

/**
 * The tables each projection writes: each projection of a throwaway read side initialised alone on an empty
 * in-memory database, and what it created listed. The projections name their tables nowhere else, and a new
 * projection or table is then compared without anyone listing it here. A throwaway set, because init() binds a
 * projection's prepared statements to the database it is given.
 */
const tablesByProjection = (store: SqliteEventStore): Map<string, string[]> => {
  const probeDb = openSqlite(':memory:');
  try {
    const tables = new Map<string, string[]>();
    for (const projection of embeddedReadSide(probeDb, store).runner.projections) {
      const own = openSqlite(':memory:');
      try {
        projection.init(own);
        const names = own.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
        tables.set(projection.name, names);
      } finally {
        own.close();
      }
    }
    return tables;
  } finally {
    probeDb.close();
  }
};

/**
 * Replays the embedded profile's projections from the log into a scratch SQLite file and compares every
 * read-model table with the live one.
 *
 * One position: a running server may move the live read models on while this runs. So everything live is read
 * on a connection of our own inside ONE read transaction (WAL: a snapshot, pinned by its first read): the
 * checkpoints first, then, once the scratch is built, the live rows. Each projection is rebuilt up to exactly
 * its own live checkpoint (rebuildMany's upTo), so a live read model that is merely behind the log is compared
 * where it stands, not reported. Events at or below a checkpoint never change once committed (the log is
 * append-only, positions assigned under its write lock), so reading them in that snapshot or later is the same.
 *
 * Compared: every table the projections create. Not compared: the checkpoints (the scratch's are set to the live
 * ones by construction) and the parked events (when and by whom an event was parked, and an operator's
 * "skipped", are not implied by the log; what a parked event did not do shows in the rows).
 *
 * The snapshot is held for the whole run, so the live file's WAL cannot be checkpointed back meanwhile: it grows
 * with what a running server writes until the replay ends.
 */
export const replayEmbedded = async (liveDb: SqliteDb, options: EmbeddedReplayOptions = {}): Promise<ReplayReport> => {
  if (liveDb.memory) throw new Error('replay needs the embedded store on a file (it reads it on a connection of its own)');
  const maxShown = options.maxShown ?? REPLAY_MAX_SHOWN_DEFAULT;
  // 1. Our own connection to the live file: the caller's may be a server's, shared with its projections, and a
  //    long read transaction on it would swallow their writes. The store is made before the snapshot (its
  //    CREATE IF NOT EXISTS must not be the first statement of the read transaction).
  const reader = openSqlite(liveDb.name);
  const scratchDir = mkdtempSync(join(options.scratchDir ?? tmpdir(), 'keygate-replay-'));
  let scratch: SqliteDb | null = null;
  try {
    const liveLog = new SqliteEventStore(reader);
    const owned = tablesByProjection(liveLog);
    reader.exec('BEGIN');
    try {
      // 2. The live checkpoints, first read of the snapshot.
      const hasCheckpoints = reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(CHECKPOINTS_TABLE) !== undefined;
      const live = new Map(
        hasCheckpoints
          ? (reader.prepare(`SELECT name, position FROM ${CHECKPOINTS_TABLE}`).all() as { name: string; position: number }[]).map((c) => [c.name, c.position])
          : [],
      );
      const head = reader.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck().get() as number;

      // 3. The scratch file: written, never kept, so no fsync. Its read side takes its events from the live log.
      scratch = openSqlite(join(scratchDir, 'replay.sqlite'));
      scratch.pragma('synchronous = OFF');
      const { runner } = embeddedReadSide(scratch, liveLog);
      const positionOf = (name: string) => live.get(name) ?? 0;
      const notes: string[] = [];
      for (const name of runner.names) {
        if (positionOf(name) > head) notes.push(`${name}: its live checkpoint ${positionOf(name)} is past the log's last position ${head}`);
      }

      // 4. Rebuild, one pass for all projections at the same checkpoint (usually every one: the live loop moves
      //    them together), one pass per other position.
      const byPosition = new Map<number, string[]>();
      for (const name of runner.names) byPosition.set(positionOf(name), [...(byPosition.get(positionOf(name)) ?? []), name]);
      for (const [upTo, names] of byPosition) runner.rebuildMany(names, { upTo });
      const parked = runner.parked.countsSync();

      // 5. Compare each projection's tables, in the same snapshot of the live file.
      const projections: ProjectionReplay[] = [];
      for (const name of runner.names) {
        const tables = [];
        for (const table of owned.get(name) ?? []) tables.push(await compareTable(reader, scratch, table, maxShown));
        projections.push({ projection: name, position: positionOf(name), parkedInReplay: parked[name] ?? 0, tables });
      }
      return { profile: 'embedded', projections, differences: totalReplayDifferences(projections), notes };
    } finally {
      reader.exec('ROLLBACK');
    }
  } finally {
    scratch?.close();
    reader.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
};

/** One table, live against replayed, in primary-key order (every compared column when it has none). */
const compareTable = (live: SqliteDb, replayed: SqliteDb, table: string, maxShown: number) => {
  const replayedColumns = columnsOf(replayed, table);
  const liveColumns = columnsOf(live, table);
  const liveMissing = liveColumns.length === 0;
  const liveNames = new Set(liveColumns.map((c) => c.name));
  const replayedNames = new Set(replayedColumns.map((c) => c.name));
  const schema: string[] = [];
  if (liveMissing) schema.push('table missing in live');
  else {
    for (const c of replayedColumns) if (!liveNames.has(c.name)) schema.push(`column ${c.name} missing in live`);
    for (const c of liveColumns) if (!replayedNames.has(c.name)) schema.push(`column ${c.name} extra in live (the replay does not write it)`);
  }
  // The columns both sides have (every replayed one when the live table is missing: each row is then "missing").
  const compared = replayedColumns.filter((c) => liveMissing || liveNames.has(c.name)).map((c) => c.name);
  const primaryKey = replayedColumns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  const key = primaryKey.length > 0 && primaryKey.every((k) => compared.includes(k)) ? primaryKey : compared;
  const select = (db: SqliteDb) =>
    db.prepare(`SELECT ${compared.map(quote).join(', ')} FROM ${quote(table)} ORDER BY ${key.map(quote).join(', ')}`).iterate() as IterableIterator<Row>;
  return compareOrdered({
    table,
    live: liveMissing ? [] : select(live),
    replayed: select(replayed),
    keyColumns: key,
    columnsOf: () => compared.filter((c) => !key.includes(c)),
    same: sameSqliteValue,
    maxShown,
    schema,
  });
};
