import { pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { SqliteDb } from '#event-store';
import {
  ACTIVITY_KEYS_TABLE,
  ACTIVITY_TABLE,
  embeddedReadSide,
  INDEX_BUILD_CACHE_KIB,
  KEY_LOOKUP_TABLE,
  KEYS_LIST_TABLE,
  REBUILD_CACHE_KIB,
  type RebuildPhases,
  type SqliteProjection,
} from '#projections';
import { populateStore, type ExpectedCounts } from './synthetic-events.js';
import { intFromEnv, median } from './bench-helpers.js';

/**
 * Projection rebuild time against the work no rebuild can avoid, measured in the same run on the same file.
 *
 * (a) Baseline, the unavoidable work, in ONE IMMEDIATE transaction with the rebuild's page cache (as the rebuild):
 *     1. read and parse the same events from the store once: `store.readAllSync` over the whole log, in the
 *        rebuild's batch size (JSON.parse of data and metadata, as the store does it);
 *     2. insert the rows the rebuild ends up with (read back from its four tables after a warm-up rebuild,
 *        held in memory as arrays) with one prepared statement per table into tables created from the
 *        projections' own CREATE TABLE (same primary keys and UNIQUE constraints), in the same file, so
 *        with the same pragmas;
 *     3. then create the same secondary indexes on them, with the page cache the rebuild creates its own with
 *        (INDEX_BUILD_CACHE_KIB: the size of CREATE INDEX's sort runs).
 * (b) Rebuild: `runner.rebuildAll()` on the populated store: one pass over the log (read, JSON.parse,
 *     schema check, apply to every projection), indexes dropped before and created after, checkpoints, in
 *     one transaction.
 *
 * Both write the same rows, so ratio = baseline time / rebuild time. Each measurement runs `reps` times,
 * alternating the order; medians are reported.
 */

export const TABLES = [KEYS_LIST_TABLE, ACTIVITY_TABLE, KEY_LOOKUP_TABLE] as const;
export type TableName = (typeof TABLES)[number];
/** Every table the rebuild writes: the three read models and the feed's own key records. */
const WRITTEN = [...TABLES, ACTIVITY_KEYS_TABLE] as const;
/** What the runner reads at a time in a rebuild (REBUILD_BATCH in sqlite-projection-runner.ts). */
const READ_BATCH = 500;

export interface Timing {
  /** Median over the repetitions, ms. */
  ms: number;
  /** Every repetition, ms. */
  runs: number[];
  /** Median CPU time (user + system) of this process, ms: less sensitive to other load than wall time. */
  cpuMs?: number;
}

export interface RebuildBenchResult {
  events: number;
  reps: number;
  expected: ExpectedCounts;
  appendMs: number;
  /** Rows the rebuild writes (and the baseline inserts), per table. */
  rowsByTable: Record<string, number>;
  rows: number;
  rebuild: Timing;
  baseline: Timing;
  /** The baseline's parts (medians): read + parse, insert, index creation (+ commit). */
  baselineParts: { readParse: number; insert: number; indexes: number };
  /** Median time the baseline spent unpacking its rows from their serialized chunks (not counted in it), ms. */
  baselineUnpackMs: number;
  /** The rebuild's phases (medians of its reps, each phase on its own): read + parse, fold, rows held, indexes. */
  rebuildPhases: RebuildPhases;
  /** baseline time / rebuild time (medians). */
  ratio: number;
  /** baseline CPU time / rebuild CPU time (medians): a cross-check when the machine is busy. */
  cpuRatio: number;
  /** Every check that failed; empty when the read models hold what the log says. */
  failures: string[];
  wallMs: number;
}

const timing = (runs: number[], cpu?: number[]): Timing => ({ ms: median(runs), runs, cpuMs: cpu && median(cpu) });

/** Runs fn, returning its wall time and this process's CPU time (user + system), ms. */
const clocked = <T>(fn: () => T): { ms: number; cpuMs: number; result: T } => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
};

interface TableData {
  name: string;
  columns: string[];
  /** The table's own CREATE TABLE. */
  table: string;
  /** Its CREATE INDEX statements (secondary indexes; the primary key's and UNIQUE's come with the table). */
  indexes: string[];
  /**
   * Its rows, v8.serialize'd in chunks of ROWS_PER_CHUNK: off the JS heap, so that the rebuild is not timed while
   * this process holds the baseline's 1.5M rows (at 1M events that tripled the rebuild's GC: 3.2 s -> 17.0 s, the
   * rebuild 30.2 -> 44.2 s). The baseline unpacks one chunk at a time, untimed.
   */
  chunks: Buffer[];
  count: number;
}

const ROWS_PER_CHUNK = 5_000;

/** The rows of a projection table as the rebuild left them, plus its schema, for the baseline's insert. */
const snapshot = (db: SqliteDb, name: string): TableData => {
  const info = db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[];
  const columns = info.map((c) => c.name);
  const sql = (type: string) =>
    db.prepare(`SELECT sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`).pluck().all(type, name) as string[];
  const chunks: Buffer[] = [];
  let chunk: unknown[][] = [];
  let count = 0;
  for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY rowid`).raw().iterate() as Iterable<unknown[]>) {
    chunk.push(row);
    count++;
    if (chunk.length === ROWS_PER_CHUNK) chunks.push(serialize(chunk)), (chunk = []);
  }
  if (chunk.length > 0) chunks.push(serialize(chunk));
  return { name, columns, table: sql('table')[0], indexes: sql('index'), chunks, count };
};

const rawName = (name: string) => `bench_raw_${name}`;
/** The statement with the table (and index) names prefixed; \b keeps activity_v2 out of activity_keys_v2's name. */
const renamed = (sql: string, name: string) => sql.replace(new RegExp(`\\b${name}`, 'g'), rawName(name));

/**
 * The baseline: in one IMMEDIATE transaction, read and parse the whole log once, insert every row into fresh
 * tables of the same schema, then create their secondary indexes. Table creation is setup, not timed.
 */
const baseline = (db: SqliteDb, readAll: (after: number) => { globalPosition: number }[], tables: readonly TableData[]) => {
  for (const t of tables) {
    db.exec(`DROP TABLE IF EXISTS ${rawName(t.name)}`);
    db.exec(renamed(t.table, t.name));
  }
  const inserts = tables.map((t) =>
    db.prepare(`INSERT INTO ${rawName(t.name)} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`),
  );
  const parts = { readParse: 0, insert: 0, indexes: 0 };
  /** Unpacking the rows (deserialize), wall and CPU: taken out of the insert and of the total. */
  const unpacked = { ms: 0, cpuMs: 0 };
  const unpack = (buffer: Buffer): unknown[][] => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const rows = deserialize(buffer) as unknown[][];
    unpacked.ms += performance.now() - started;
    const used = process.cpuUsage(cpu);
    unpacked.cpuMs += (used.user + used.system) / 1000;
    return rows;
  };
  let events = 0;
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = ${-REBUILD_CACHE_KIB}`);
  const timed = clocked(() => {
    let mark = performance.now();
    const lap = (part: keyof typeof parts) => {
      const now = performance.now();
      parts[part] += now - mark;
      mark = now;
    };
    db.transaction(() => {
      for (let after = 0; ; ) {
        const batch = readAll(after);
        events += batch.length;
        if (batch.length === 0) break;
        after = batch[batch.length - 1].globalPosition;
        if (batch.length < READ_BATCH) break;
      }
      lap('readParse');
      tables.forEach((t, i) => {
        for (const chunk of t.chunks) for (const row of unpack(chunk)) inserts[i].run(row);
      });
      lap('insert');
      parts.insert -= unpacked.ms;
      db.pragma(`cache_size = ${-INDEX_BUILD_CACHE_KIB}`);
      for (const t of tables) for (const index of t.indexes) db.exec(renamed(index, t.name));
    }).immediate();
    lap('indexes');
  });
  db.pragma(`cache_size = ${cacheSize}`);
  for (const t of tables) {
    const count = db.prepare(`SELECT COUNT(*) FROM ${rawName(t.name)}`).pluck().get() as number;
    if (count !== t.count) throw new Error(`baseline insert into ${rawName(t.name)}: ${count} rows, expected ${t.count}`);
  }
  return { ms: timed.ms - unpacked.ms, cpuMs: timed.cpuMs - unpacked.cpuMs, parts, events, unpackMs: unpacked.ms };
};

/** Cheap checks that the rebuilt read models hold exactly what the log says, with their indexes. */
export const verifyReadModels = (db: SqliteDb, expected: ExpectedCounts, head: number, projections: readonly SqliteProjection[] = []): string[] => {
  const failures: string[] = [];
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const check = (what: string, actual: number, want: number) => {
    if (actual !== want) failures.push(`${what}: ${actual}, expected ${want}`);
  };
  check(`${KEYS_LIST_TABLE} rows`, count(`SELECT COUNT(*) FROM ${KEYS_LIST_TABLE}`), expected.keys);
  check(`${KEY_LOOKUP_TABLE} rows`, count(`SELECT COUNT(*) FROM ${KEY_LOOKUP_TABLE}`), expected.keys);
  check(`${ACTIVITY_TABLE} rows`, count(`SELECT COUNT(*) FROM ${ACTIVITY_TABLE}`), expected.activity);
  check(`${ACTIVITY_KEYS_TABLE} rows`, count(`SELECT COUNT(*) FROM ${ACTIVITY_KEYS_TABLE}`), expected.acknowledged);
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
  for (const index of projections.flatMap((p) => p.secondaryIndexes ?? [])) {
    check(`index ${index.name} present`, count(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '${index.name}'`), 1);
  }
  const integrity = db.prepare(`PRAGMA quick_check`).pluck().get();
  if (integrity !== 'ok') failures.push(`quick_check: ${String(integrity)}`);
  return failures;
};

export interface RebuildBenchOptions {
  events?: number;
  reps?: number;
  seed?: number;
  log?: (line: string) => void;
  /** Keeps the populated log there and reuses it on the next run (populateStore's cacheDir; BENCH_LOG_CACHE). */
  cacheDir?: string;
}

export const runProjectionRebuildBench = async ({
  events = 100_000,
  reps = 3,
  seed = 42,
  log = () => {},
  cacheDir = process.env.BENCH_LOG_CACHE || undefined,
}: RebuildBenchOptions = {}): Promise<RebuildBenchResult> => {
  const wallStarted = performance.now();
  log(`generating and appending ${events} events${cacheDir ? ` (or copying them from ${cacheDir})` : ''}…`);
  const populated = await populateStore(events, { seed, cacheDir });
  const { db, store, expected } = populated;
  try {
    // Appended or copied from the cache, the log starts in the file itself, with an empty WAL.
    db.pragma('wal_checkpoint(TRUNCATE)');
    log(`appended in ${populated.appendMs.toFixed(0)} ms; warm-up rebuild…`);
    const { runner } = embeddedReadSide(db, store);
    const head = db.prepare('SELECT MAX(global_position) FROM events').pluck().get() as number;
    for (const name of TABLES) if (!runner.names.includes(name)) throw new Error(`no projection named ${name}`);

    // Warm-up: also leaves the rows the baseline will insert.
    runner.rebuildAll();
    const failures = verifyReadModels(db, expected, head, runner.projections).map((f) => `warm-up: ${f}`);
    const data = WRITTEN.map((name) => snapshot(db, name));
    const readAll = (after: number) => store.readAllSync({ after, maxCount: READ_BATCH });

    const runs = { rebuild: [] as number[], baseline: [] as number[] };
    const cpu = { rebuild: [] as number[], baseline: [] as number[] };
    const phases: RebuildPhases[] = [];
    const parts = { readParse: [] as number[], insert: [] as number[], indexes: [] as number[] };

    const unpacks: number[] = [];
    const measureBaseline = () => {
      const b = baseline(db, readAll, data);
      if (b.events !== events) throw new Error(`baseline read ${b.events} events, expected ${events}`);
      runs.baseline.push(b.ms);
      cpu.baseline.push(b.cpuMs);
      for (const k of Object.keys(parts) as (keyof typeof parts)[]) parts[k].push(b.parts[k]);
      unpacks.push(b.unpackMs);
    };
    const measureRebuild = (rep: number) => {
      const { ms, cpuMs } = clocked(() => runner.rebuildAll());
      phases.push(runner.lastRebuildPhases!);
      runs.rebuild.push(ms);
      cpu.rebuild.push(cpuMs);
      failures.push(...verifyReadModels(db, expected, head, runner.projections).map((f) => `rep ${rep + 1}: ${f}`));
    };

    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ['baseline', 'rebuild'] : ['rebuild', 'baseline'];
      for (const m of order) (m === 'baseline' ? measureBaseline() : measureRebuild(rep));
      log(`rep ${rep + 1}/${reps} (${order.join(' → ')}): rebuild ${runs.rebuild.at(-1)!.toFixed(0)} ms, baseline ${runs.baseline.at(-1)!.toFixed(0)} ms`);
    }
    for (const t of data) db.exec(`DROP TABLE IF EXISTS ${rawName(t.name)}`);

    const rebuild = timing(runs.rebuild, cpu.rebuild);
    const base = timing(runs.baseline, cpu.baseline);
    const result: RebuildBenchResult = {
      events,
      reps,
      expected,
      appendMs: populated.appendMs,
      rowsByTable: Object.fromEntries(data.map((t) => [t.name, t.count])),
      rows: data.reduce((n, t) => n + t.count, 0),
      rebuild,
      baseline: base,
      baselineParts: { readParse: median(parts.readParse), insert: median(parts.insert), indexes: median(parts.indexes) },
      baselineUnpackMs: median(unpacks),
      rebuildPhases: {
        resetMs: median(phases.map((x) => x.resetMs)),
        readMs: median(phases.map((x) => x.readMs)),
        foldMs: median(phases.map((x) => x.foldMs)),
        finishMs: median(phases.map((x) => x.finishMs)),
        indexMs: median(phases.map((x) => x.indexMs)),
        attempts: Math.max(...phases.map((x) => x.attempts)),
      },
      ratio: base.ms / rebuild.ms,
      cpuRatio: base.cpuMs! / rebuild.cpuMs!,
      failures,
      wallMs: 0,
    };
    result.wallMs = performance.now() - wallStarted;
    return result;
  } finally {
    populated.cleanup();
  }
};

/**
 * Its own entry point (`npm run -s build && node dist/bench/projection-rebuild.bench.js`): the rebuild alone, without
 * the audit bench that `npm run bench` (run-all.ts) runs after it. Same knobs: BENCH_EVENTS (a comma list runs each
 * size in turn and prints the growth), BENCH_REPS, BENCH_SEED; and BENCH_LOG_CACHE, a directory where the populated
 * log is kept and reused by the next run (setup only: each run still copies it to a fresh temp file).
 */
const main = async () => {
  const sizes = (process.env.BENCH_EVENTS ?? '100000').split(',').map((s) => Number(s.trim().replaceAll('_', '')));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_EVENTS: positive integers, got ${process.env.BENCH_EVENTS}`);
  const reps = intFromEnv('BENCH_REPS', 3);
  const seed = intFromEnv('BENCH_SEED', 42);
  const log = (line: string) => process.stderr.write(`  · ${line}\n`);
  const ms = (x: number) => x.toFixed(0);
  process.stdout.write(`projection rebuild (node ${process.version}, ${sizes.join(', ')} events, ${reps} reps, order alternated, medians)\n`);
  const results: RebuildBenchResult[] = [];
  for (const events of sizes) {
    const r = await runProjectionRebuildBench({ events, reps, seed, log });
    results.push(r);
    const p = r.baselineParts;
    process.stdout.write(
      [
        `${events} events, ${r.rows} rows:`,
        `  rebuild  ${ms(r.rebuild.ms)} ms (CPU ${ms(r.rebuild.cpuMs!)}) runs [${r.rebuild.runs.map(ms).join(', ')}]; ` +
          `emptying ${ms(r.rebuildPhases.resetMs)}, read + parse ${ms(r.rebuildPhases.readMs)}, fold ${ms(r.rebuildPhases.foldMs)}, ` +
          `rows held ${ms(r.rebuildPhases.finishMs)}, indexes (+ rows written out) ${ms(r.rebuildPhases.indexMs)}` +
          (r.rebuildPhases.attempts > 1 ? ` (${r.rebuildPhases.attempts} attempts)` : ''),
        `  baseline ${ms(r.baseline.ms)} ms (CPU ${ms(r.baseline.cpuMs!)}) runs [${r.baseline.runs.map(ms).join(', ')}]; ` +
          `read + parse ${ms(p.readParse)}, insert ${ms(p.insert)}, indexes + commit ${ms(p.indexes)} ` +
          `(unpacking its rows, not counted: ${ms(r.baselineUnpackMs)})`,
        `  ratio baseline / rebuild ${r.ratio.toFixed(3)} (target ≥ 0.50: ${r.ratio >= 0.5 ? 'MET' : 'NOT met'}), CPU ratio ${r.cpuRatio.toFixed(3)}`,
        r.failures.length === 0 ? '  correctness: every check passed' : `  correctness: FAILED\n    ${r.failures.slice(0, 20).join('\n    ')}`,
        '',
      ].join('\n'),
    );
    if (r.failures.length) process.exitCode = 1;
  }
  if (results.length > 1) {
    const [small, large] = [results[0], results[results.length - 1]];
    const logGrowth = large.events / small.events;
    const growth = large.rebuild.ms / small.rebuild.ms;
    process.stdout.write(
      `rebuild growth ${growth.toFixed(2)}x for ${logGrowth.toFixed(1)}x the log (CPU ${(large.rebuild.cpuMs! / small.rebuild.cpuMs!).toFixed(2)}x; ` +
        `baseline ${(large.baseline.ms / small.baseline.ms).toFixed(2)}x); target ≤ ${(1.1 * logGrowth).toFixed(1)}x: ` +
        `${growth <= 1.1 * logGrowth ? 'MET' : 'NOT met'}\n`,
    );
    // Each phase's growth on its own: a phase growing faster than the log is where a rebuild stops being linear.
    const phaseGrowth = (k: Exclude<keyof RebuildPhases, 'attempts'>) => (large.rebuildPhases[k] / small.rebuildPhases[k]).toFixed(2);
    process.stdout.write(
      `  by phase: emptying ${phaseGrowth('resetMs')}x, read + parse ${phaseGrowth('readMs')}x, fold ${phaseGrowth('foldMs')}x, ` +
        `rows held ${phaseGrowth('finishMs')}x, indexes (+ rows written out) ${phaseGrowth('indexMs')}x\n`,
    );
  }
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
