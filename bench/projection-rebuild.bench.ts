import type { SqliteDb } from '#event-store';
import { ACTIVITY_TABLE, embeddedReadSide, KEY_LOOKUP_TABLE, KEYS_LIST_TABLE } from '#projections';
import { populateStore, type ExpectedCounts, type PopulatedStore } from './synthetic-events.js';
import { median } from './bench-helpers.js';

/**
 * Projection rebuild throughput against a raw SQLite insert of the same rows, in the same run.
 *
 * (a) Raw insert (the baseline): the exact rows the three projections end up with (read back from their
 *     tables after a warm-up rebuild, held in memory as arrays) inserted with one prepared statement per
 *     table, 1000 rows per IMMEDIATE transaction, into plain tables with the same columns (names and
 *     declared types; no keys, no indexes) in the same file, so with the same pragmas (openSqlite).
 *     A second variant creates the tables from the projections' own DDL (same primary keys, UNIQUE and
 *     secondary indexes): the cost of merely storing the read models as they are declared.
 * (b) Rebuild: runner.rebuild(name) for each of the three projections on the populated store: read
 *     the log, JSON.parse, apply, checkpoint, all in one transaction per projection.
 *
 * Both produce the same rows, so ratio = raw time / rebuild time = rebuild rows/s ÷ raw rows/s.
 * Each measurement runs `reps` times, alternating the order; medians are reported.
 */

export const TABLES = [KEYS_LIST_TABLE, ACTIVITY_TABLE, KEY_LOOKUP_TABLE] as const;
export type TableName = (typeof TABLES)[number];
const RAW_BATCH = 1000;

export interface Timing {
  /** Median over the repetitions, ms. */
  ms: number;
  /** Every repetition, ms. */
  runs: number[];
  /** Median CPU time (user + system) of this process, ms: less sensitive to other load than wall time. */
  cpuMs?: number;
}

export interface ProjectionFigures {
  name: TableName;
  /** Events of the projection's types in the log: what its rebuild reads and applies. */
  events: number;
  /** Rows of its read-model table after the rebuild (also what the raw insert writes). */
  rows: number;
  rebuild: Timing;
  /** Plain tables: same columns, no keys or indexes (the baseline). */
  raw: Timing;
  /** Tables created from the projection's own DDL. */
  rawSameDdl: Timing;
}

export interface RebuildBenchResult {
  events: number;
  reps: number;
  expected: ExpectedCounts;
  appendMs: number;
  projections: ProjectionFigures[];
  /** Sum of the three, per repetition; median. */
  rebuildTotal: Timing;
  rawTotal: Timing;
  rawSameDdlTotal: Timing;
  rows: number;
  /** raw time / rebuild time (median totals) = rebuild rows/s ÷ raw rows/s. */
  ratio: number;
  /** The same against the raw insert into tables with the projections' own DDL. */
  ratioSameDdl: number;
  /** raw CPU time / rebuild CPU time (median totals): a cross-check when the machine is busy. */
  cpuRatio: number;
  /** Every check that failed; empty when the read models hold what the log says. */
  failures: string[];
  wallMs: number;
}


const timing = (runs: number[], cpu?: number[]): Timing => ({ ms: median(runs), runs, cpuMs: cpu && median(cpu) });

/** Runs fn, returning its wall time and this process's CPU time (user + system), ms. */
const clocked = (fn: () => void): { ms: number; cpuMs: number } => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
};

interface TableData {
  name: TableName;
  columns: string[];
  /** CREATE TABLE with the same columns and declared types, nothing else. */
  plainDdl: string[];
  /** The table's own CREATE TABLE and CREATE INDEX statements. */
  ddl: string[];
  rows: unknown[][];
}

/** The rows of a projection table as the rebuild left them, plus its schema, for the raw insert. */
const snapshot = (db: SqliteDb, name: TableName): TableData => {
  const info = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string; type: string }[];
  const columns = info.map((c) => c.name);
  const plainDdl = [`CREATE TABLE ${name} (${info.map((c) => `${c.name} ${c.type}`).join(', ')})`];
  const ddl = (
    db.prepare(`SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC`).pluck().all(name) as string[]
  ).sort((a, b) => Number(/^CREATE INDEX/i.test(a)) - Number(/^CREATE INDEX/i.test(b)));
  const rows = db.prepare(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY rowid`).raw().all() as unknown[][];
  return { name, columns, plainDdl, ddl, rows };
};

const rawName = (name: string) => `bench_raw_${name}`;

/** Creates the raw table (untimed), then times the insert of every row in 1000-row transactions. */
const rawInsert = (db: SqliteDb, t: TableData, sameDdl: boolean): { ms: number; cpuMs: number } => {
  const target = rawName(t.name);
  db.exec(`DROP TABLE IF EXISTS ${target}`);
  // The table (and index) names prefixed.
  for (const s of sameDdl ? t.ddl : t.plainDdl) db.exec(s.replaceAll(t.name, target));
  const insert = db.prepare(`INSERT INTO ${target} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`);
  const chunk = db.transaction((rows: unknown[][]) => {
    for (const row of rows) insert.run(row);
  });
  const timed = clocked(() => {
    for (let i = 0; i < t.rows.length; i += RAW_BATCH) chunk.immediate(t.rows.slice(i, i + RAW_BATCH));
  });
  const count = db.prepare(`SELECT COUNT(*) FROM ${target}`).pluck().get() as number;
  if (count !== t.rows.length) throw new Error(`raw insert into ${target}: ${count} rows, expected ${t.rows.length}`);
  return timed;
};

/** Cheap checks that the rebuilt read models hold exactly what the log says. */
export const verifyReadModels = (db: SqliteDb, expected: ExpectedCounts, head: number): string[] => {
  const failures: string[] = [];
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const check = (what: string, actual: number, want: number) => {
    if (actual !== want) failures.push(`${what}: ${actual}, expected ${want}`);
  };
  check(`${KEYS_LIST_TABLE} rows`, count(`SELECT COUNT(*) FROM ${KEYS_LIST_TABLE}`), expected.keys);
  check(`${KEY_LOOKUP_TABLE} rows`, count(`SELECT COUNT(*) FROM ${KEY_LOOKUP_TABLE}`), expected.keys);
  check(`${ACTIVITY_TABLE} rows`, count(`SELECT COUNT(*) FROM ${ACTIVITY_TABLE}`), expected.activity);
  check('activity_keys_v1 rows', count('SELECT COUNT(*) FROM activity_keys_v1'), expected.acknowledged);
  check(`${KEYS_LIST_TABLE} keys used`, count(`SELECT COUNT(*) FROM ${KEYS_LIST_TABLE} WHERE last_used_at IS NOT NULL`), expected.keysUsed);
  for (const [status, n] of Object.entries(expected.statuses)) {
    check(`${KEYS_LIST_TABLE} ${status}`, count(`SELECT COUNT(*) FROM ${KEYS_LIST_TABLE} WHERE status = '${status}'`), n);
    check(`${KEY_LOOKUP_TABLE} ${status}`, count(`SELECT COUNT(*) FROM ${KEY_LOOKUP_TABLE} WHERE status = '${status}'`), n);
  }
  for (const [type, n] of Object.entries(expected.byType)) {
    check(`${ACTIVITY_TABLE} ${type}`, count(`SELECT COUNT(*) FROM ${ACTIVITY_TABLE} WHERE type = '${type}'`), n);
  }
  const positions = db.prepare('SELECT name, position FROM projection_checkpoints').all() as { name: string; position: number }[];
  for (const name of TABLES) check(`checkpoint of ${name}`, positions.find((p) => p.name === name)?.position ?? -1, head);
  return failures;
};

export interface RebuildBenchOptions {
  events?: number;
  reps?: number;
  seed?: number;
  log?: (line: string) => void;
}

export const runProjectionRebuildBench = async ({
  events = 100_000,
  reps = 3,
  seed = 42,
  log = () => {},
}: RebuildBenchOptions = {}): Promise<RebuildBenchResult> => {
  const wallStarted = performance.now();
  log(`generating and appending ${events} events…`);
  const populated = await populateStore(events, { seed });
  const { db, store, expected } = populated;
  try {
    log(`appended in ${populated.appendMs.toFixed(0)} ms; warm-up rebuild…`);
    const { runner } = embeddedReadSide(db, store);
    const head = db.prepare('SELECT MAX(global_position) FROM events').pluck().get() as number;
    const byName = new Map(runner.projections.map((p) => [p.name as TableName, p]));
    const projections = TABLES.map((name) => {
      const p = byName.get(name);
      if (!p) throw new Error(`no projection named ${name}`);
      return p;
    });

    // Warm-up: also leaves the rows the raw insert will write.
    for (const p of projections) runner.rebuild(p.name);
    const failures = verifyReadModels(db, expected, head).map((f) => `warm-up: ${f}`);
    const data = TABLES.map((name) => snapshot(db, name));

    const rebuildRuns = new Map<TableName, number[]>(TABLES.map((n) => [n, []]));
    const rawRuns = new Map<TableName, number[]>(TABLES.map((n) => [n, []]));
    const ddlRuns = new Map<TableName, number[]>(TABLES.map((n) => [n, []]));
    const totals = { rebuild: [] as number[], raw: [] as number[], ddl: [] as number[] };
    const cpu = { rebuild: [] as number[], raw: [] as number[], ddl: [] as number[] };

    const measureRaw = (sameDdl: boolean) => {
      const runs = sameDdl ? ddlRuns : rawRuns;
      let sum = 0;
      let cpuSum = 0;
      for (const t of data) {
        const { ms, cpuMs } = rawInsert(db, t, sameDdl);
        runs.get(t.name)!.push(ms);
        sum += ms;
        cpuSum += cpuMs;
      }
      (sameDdl ? totals.ddl : totals.raw).push(sum);
      (sameDdl ? cpu.ddl : cpu.raw).push(cpuSum);
    };
    const measureRebuild = (rep: number) => {
      let sum = 0;
      let cpuSum = 0;
      for (const p of projections) {
        const { ms, cpuMs } = clocked(() => runner.rebuild(p.name));
        rebuildRuns.get(p.name as TableName)!.push(ms);
        sum += ms;
        cpuSum += cpuMs;
      }
      totals.rebuild.push(sum);
      cpu.rebuild.push(cpuSum);
      failures.push(...verifyReadModels(db, expected, head).map((f) => `rep ${rep + 1}: ${f}`));
    };

    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ['raw', 'rebuild', 'raw same DDL'] : ['raw same DDL', 'rebuild', 'raw'];
      for (const m of order) {
        if (m === 'raw') measureRaw(false);
        else if (m === 'raw same DDL') measureRaw(true);
        else measureRebuild(rep);
      }
      log(
        `rep ${rep + 1}/${reps} (${order.join(' → ')}): rebuild ${totals.rebuild.at(-1)!.toFixed(0)} ms, ` +
          `raw ${totals.raw.at(-1)!.toFixed(0)} ms, raw same DDL ${totals.ddl.at(-1)!.toFixed(0)} ms`,
      );
    }
    for (const t of data) db.exec(`DROP TABLE IF EXISTS ${rawName(t.name)}`);

    const typeCount = (types: readonly string[]) =>
      types.reduce((n, type) => n + (expected.byType[type as keyof ExpectedCounts['byType']] ?? 0), 0);
    const figures: ProjectionFigures[] = projections.map((p, i) => ({
      name: p.name as TableName,
      events: typeCount(p.eventTypes),
      rows: data[i].rows.length,
      rebuild: timing(rebuildRuns.get(p.name as TableName)!),
      raw: timing(rawRuns.get(p.name as TableName)!),
      rawSameDdl: timing(ddlRuns.get(p.name as TableName)!),
    }));
    const rebuildTotal = timing(totals.rebuild, cpu.rebuild);
    const rawTotal = timing(totals.raw, cpu.raw);
    const rawSameDdlTotal = timing(totals.ddl, cpu.ddl);
    const result: RebuildBenchResult = {
      events,
      reps,
      expected,
      appendMs: populated.appendMs,
      projections: figures,
      rebuildTotal,
      rawTotal,
      rawSameDdlTotal,
      rows: data.reduce((n, t) => n + t.rows.length, 0),
      ratio: rawTotal.ms / rebuildTotal.ms,
      ratioSameDdl: rawSameDdlTotal.ms / rebuildTotal.ms,
      cpuRatio: rawTotal.cpuMs! / rebuildTotal.cpuMs!,
      failures,
      wallMs: 0,
    };
    result.wallMs = performance.now() - wallStarted;
    return result;
  } finally {
    populated.cleanup();
  }
};
