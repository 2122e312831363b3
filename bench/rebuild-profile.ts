import type Database from 'better-sqlite3';
import {
  SqliteEventStore,
  type ReadAllOptions,
  type RecordedEvent,
  type SqliteDb,
} from '../libs/event-store/src/index.js';
import { activityDetail } from '../libs/projections/src/activity-feed/activity-detail.js';
import {
  ActivityFeedProjection,
  KeyLookupProjection,
  KeysListProjection,
  SqliteCheckpoints,
  SqliteProjectionRunner,
  type SqliteProjection,
} from '../libs/projections/src/index.js';
import type { KeyEvent } from '../libs/keys/src/domain/key-events.js';
import { median, verifyReadModels } from './projection-rebuild.bench.js';
import type { PopulatedStore } from './synthetic-events.js';

/**
 * Where the rebuild's time goes, and what the candidate fixes buy, on the bench's populated store.
 * Run with BENCH_PROFILE=1 npm run bench. Prototypes live here; nothing in libs/ is changed.
 *
 * - read: the runner's batched, type-filtered read of the log (store.readAllSync), with and without
 *   JSON.parse, with the store's SQL and with a SQL that walks the log in position order;
 * - parse: JSON.parse of data and metadata alone, from strings in memory;
 * - apply: projection.apply() alone, from events parsed in memory beforehand;
 * - rebuild variants: the runner with a store whose type-filtered read walks the log in order, and a
 *   single-pass rebuild of all three projections that reads and parses each event once.
 */

const BATCH = 1000;

interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_position: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

const toRecorded = (row: EventRow, parseMetadata = true): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  streamPosition: row.stream_position,
  globalPosition: row.global_position,
  type: row.type,
  data: JSON.parse(row.data),
  metadata: parseMetadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : {},
  recordedAt: row.recorded_at,
});

/** The store's type-filtered SELECT, as it is in libs (index on type, then a sort of every later row). */
const libSql = (n: number) =>
  `SELECT * FROM events WHERE global_position >= ? AND type IN (${Array(n).fill('?').join(',')}) ORDER BY global_position LIMIT ?`;
/** The fix: `+type` keeps the planner off events_by_type, so it walks the primary key from the checkpoint and stops at LIMIT. */
const orderedSql = (n: number) =>
  `SELECT * FROM events WHERE global_position > ? AND +type IN (${Array(n).fill('?').join(',')}) ORDER BY global_position LIMIT ?`;

/** SqliteEventStore with the fixed type-filtered read (prototype of the suggested change). */
export class OrderedReadStore extends SqliteEventStore {
  private readonly byTypes = new Map<string, Database.Statement>();
  constructor(
    private readonly database: SqliteDb,
    private readonly parseMetadata = true,
  ) {
    super(database);
  }

  override readAllSync<T>({ after, maxCount, eventTypes }: ReadAllOptions): RecordedEvent<T>[] {
    if (!eventTypes?.length) return super.readAllSync({ after, maxCount });
    const key = JSON.stringify(eventTypes);
    let stmt = this.byTypes.get(key);
    if (!stmt) {
      stmt = this.database.prepare(orderedSql(eventTypes.length));
      this.byTypes.set(key, stmt);
    }
    return (stmt.all(after, ...eventTypes, maxCount) as EventRow[]).map((r) => toRecorded(r, this.parseMetadata) as RecordedEvent<T>);
  }
}

/**
 * ActivityFeedProjection without the SELECT per event: labels and owners kept in a Map, written through
 * to activity_keys_v1 as before (prototype; a real one must also drop the Map when a transaction rolls back).
 */
class CachedActivityProjection extends ActivityFeedProjection {
  private cache = new Map<string, { label: string | null; owner: string }>();
  private insert!: Database.Statement;
  private upsert!: Database.Statement;
  private select!: Database.Statement;

  override init(db: SqliteDb): void {
    super.init(db);
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO activity_v1
       (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsert = db.prepare(
      `INSERT INTO activity_keys_v1 (key_id, label, owner_user_id) VALUES (?, ?, ?)
       ON CONFLICT (key_id) DO UPDATE SET label = COALESCE(excluded.label, label)`,
    );
    this.select = db.prepare('SELECT label, owner_user_id AS owner FROM activity_keys_v1 WHERE key_id = ?');
  }

  override reset(db: SqliteDb): void {
    super.reset(db);
    this.cache.clear();
  }

  override apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as KeyEvent;
    const d = event.data;
    let key = this.cache.get(d.keyId);
    if (event.type === 'KeyAcknowledged' || event.type === 'KeyMinted') {
      const label = event.type === 'KeyMinted' ? event.data.label : null;
      this.upsert.run(d.keyId, label, d.actorUserId);
      key = { label: label ?? key?.label ?? null, owner: key?.owner ?? d.actorUserId };
      this.cache.set(d.keyId, key);
    } else if (!key) {
      key = this.select.get(d.keyId) as { label: string | null; owner: string } | undefined;
      if (key) this.cache.set(d.keyId, key);
    }
    const label = key?.label ?? null;
    this.insert.run(
      recorded.globalPosition,
      recorded.eventId,
      d.companyId,
      event.type,
      d.keyId,
      label,
      key?.owner ?? d.actorUserId,
      d.actorUserId,
      d.actorName,
      d.at,
      activityDetail(event, label),
    );
  }
}

/** One transaction, one read of the log, each event parsed once and applied to every projection that wants it. */
const singlePassRebuild = (db: SqliteDb, projections: readonly SqliteProjection[], parseMetadata: boolean): void => {
  const checkpoints = new SqliteCheckpoints(db);
  const read = db.prepare('SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?');
  const wants = projections.map((p) => new Set<string>(p.eventTypes));
  db.transaction(() => {
    for (const p of projections) p.reset(db);
    let after = 0;
    for (;;) {
      const rows = read.all(after, BATCH) as EventRow[];
      for (const row of rows) {
        const e = toRecorded(row, parseMetadata);
        for (let i = 0; i < projections.length; i++) if (wants[i].has(e.type)) projections[i].apply(e);
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1].global_position;
    }
    const head = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck().get() as number;
    for (const p of projections) checkpoints.save(p.name, head);
  }).immediate();
};

/**
 * runner.rebuild() without the savepoint per batch: one IMMEDIATE transaction, batches read and applied
 * in it directly (rebuild() calls step(), whose own db.transaction() nests as a SAVEPOINT per batch).
 */
const flatRebuild = (db: SqliteDb, store: SqliteEventStore, projection: SqliteProjection): void => {
  const checkpoints = new SqliteCheckpoints(db);
  const headStmt = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck();
  db.transaction(() => {
    projection.reset(db);
    const head = headStmt.get() as number;
    let after = 0;
    for (;;) {
      const events = store.readAllSync({ after, maxCount: BATCH, eventTypes: projection.eventTypes });
      for (const e of events) projection.apply(e);
      if (events.length < BATCH) break;
      after = events[events.length - 1].globalPosition;
    }
    checkpoints.rewind(projection.name);
    checkpoints.save(projection.name, head);
  }).immediate();
};

export interface ProfileLine {
  what: string;
  /** Median wall time, ms. */
  ms: number;
  /** Median CPU time (user + system) of this process, ms. */
  cpuMs: number;
  /** A whole rebuild of the three projections (comparable with the raw insert of all their rows). */
  full: boolean;
}

/**
 * Registers every experiment, then runs them round-robin `reps` times (the direction alternating each
 * round), so drift and other load on a shared machine hit all of them alike; medians are reported.
 */
export const profileRebuild = (populated: PopulatedStore, reps: number, log: (line: string) => void): ProfileLine[] => {
  const { db, store, expected } = populated;
  const head = db.prepare('SELECT MAX(global_position) FROM events').pluck().get() as number;
  const experiments: { what: string; fn: () => void; runs: number[]; cpu: number[]; full: boolean }[] = [];
  const add = (what: string, fn: () => void, full = false) => experiments.push({ what, fn, runs: [], cpu: [], full });
  const check = (what: string) => {
    const failures = verifyReadModels(db, expected, head);
    if (failures.length) throw new Error(`${what}: ${failures.join('; ')}`);
  };

  const libProjections = [new KeysListProjection(), new ActivityFeedProjection(), new KeyLookupProjection()];
  const runner = new SqliteProjectionRunner(db, store, libProjections);
  const cached = new CachedActivityProjection();
  cached.init(db);
  const best = [new KeysListProjection(), cached, new KeyLookupProjection()];
  for (const p of best) p.init(db);

  // Rebuilds as in libs, for reference within this profile.
  for (const p of libProjections) add(`rebuild ${p.name} (libs as is)`, () => runner.rebuild(p));

  // Reading, as the runner does it: batches of 1000 after the checkpoint, filtered by type.
  const readLoop = (p: SqliteProjection, sqlFor: ((n: number) => string) | null, parse: boolean) => () =>
    db
      .transaction(() => {
        const stmt = sqlFor ? db.prepare(sqlFor(p.eventTypes.length)) : null;
        let after = 0;
        let n = 0;
        for (;;) {
          const rows = stmt
            ? (stmt.all(after, ...p.eventTypes, BATCH) as EventRow[])
            : store.readAllSync({ after, maxCount: BATCH, eventTypes: p.eventTypes });
          if (stmt && parse) for (const r of rows as EventRow[]) toRecorded(r);
          n += rows.length;
          if (rows.length < BATCH) break;
          const last = rows[rows.length - 1] as { global_position?: number; globalPosition?: number };
          after = last.global_position ?? last.globalPosition!;
        }
        return n;
      })
      .deferred();
  for (const p of libProjections) {
    add(`read ${p.name}: store.readAllSync (libs SQL + JSON.parse)`, readLoop(p, null, true));
    add(`read ${p.name}: libs SQL, no parse`, readLoop(p, libSql, false));
    add(`read ${p.name}: ordered SQL (+type), no parse`, readLoop(p, orderedSql, false));
    add(`read ${p.name}: ordered SQL + JSON.parse`, readLoop(p, orderedSql, true));
  }

  // JSON.parse alone, from strings in memory.
  const strings = db.prepare('SELECT data, metadata FROM events ORDER BY global_position').raw().all() as [string, string][];
  add('JSON.parse data+metadata, all events', () => {
    for (const [d, m] of strings) (JSON.parse(d), JSON.parse(m));
  });
  add('JSON.parse data only, all events', () => {
    for (const [d] of strings) JSON.parse(d);
  });

  // apply() alone, from events parsed beforehand; one transaction like a rebuild.
  const all = (db.prepare('SELECT * FROM events ORDER BY global_position').all() as EventRow[]).map((r) => toRecorded(r));
  const applyOnly = (p: SqliteProjection) => {
    const types = new Set<string>(p.eventTypes);
    const events = all.filter((e) => types.has(e.type));
    return () =>
      db.transaction(() => {
        p.reset(db);
        for (const e of events) p.apply(e);
      }).immediate();
  };
  for (const p of libProjections) add(`apply ${p.name} only (events in memory)`, applyOnly(p));
  const activityEvents = all;
  add('apply activity_v1 only, a savepoint per 1000 events (as rebuild() → step() does)', () =>
    db.transaction(() => {
      libProjections[1].reset(db);
      for (let i = 0; i < activityEvents.length; i += BATCH) {
        db.transaction(() => {
          for (const e of activityEvents.slice(i, i + BATCH)) libProjections[1].apply(e);
        })();
      }
    }).immediate(),
  );
  add('apply activity_v1 only, labels cached in a Map (no SELECT per event)', applyOnly(cached));

  // Whole rebuilds of the three, libs as is and with the prototyped fixes, cumulatively.
  const all3 = (rebuild: (p: SqliteProjection) => void, projections: readonly SqliteProjection[] = libProjections) => () => {
    for (const p of projections) rebuild(p);
  };
  add('rebuild all three (libs as is)', all3((p) => runner.rebuild(p)), true);
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const withPragma = (pragma: string, reset: string, fn: () => void) => () => {
    db.pragma(pragma);
    try {
      fn();
    } finally {
      db.pragma(reset);
    }
  };
  add(
    `rebuild all three (libs as is), cache_size 128 MiB instead of ${cacheSize}`,
    withPragma('cache_size = -131072', `cache_size = ${cacheSize}`, all3((p) => runner.rebuild(p))),
    true,
  );
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  add(
    'rebuild all three (libs as is), temp_store = MEMORY (savepoint journal in memory)',
    withPragma('temp_store = MEMORY', `temp_store = ${tempStore}`, all3((p) => runner.rebuild(p))),
    true,
  );
  const ordered = new OrderedReadStore(db);
  const orderedRunner = new SqliteProjectionRunner(db, ordered, libProjections);
  add('rebuild all three, ordered read (runner as is)', all3((p) => orderedRunner.rebuild(p)), true);
  add('rebuild all three, no savepoint per batch (libs read)', all3((p) => flatRebuild(db, store, p)), true);
  add('rebuild all three, no savepoint per batch + ordered read', all3((p) => flatRebuild(db, ordered, p)), true);
  const orderedNoMeta = new OrderedReadStore(db, false);
  add(
    'rebuild all three, no savepoint + ordered read + metadata not parsed',
    all3((p) => flatRebuild(db, orderedNoMeta, p)),
    true,
  );
  add(
    'rebuild all three, no savepoint + ordered read + no metadata + activity labels cached',
    all3((p) => flatRebuild(db, orderedNoMeta, p), best),
    true,
  );
  add('single pass over the log for all three, one transaction (libs projections)', () => singlePassRebuild(db, libProjections, true), true);
  add('single pass + no metadata parse + activity labels cached', () => singlePassRebuild(db, best, false), true);

  // What activity_v1's schema costs: its rows from memory, in ONE transaction (as inside a rebuild).
  const activityDdl = db
    .prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'activity_v1' AND sql IS NOT NULL")
    .pluck()
    .all() as string[];
  const activityInfo = db.prepare('PRAGMA table_info(activity_v1)').all() as { name: string; type: string }[];
  const activityRows = db.prepare('SELECT * FROM activity_v1 ORDER BY position').raw().all() as unknown[][];
  const createTable = activityDdl.find((x) => /^CREATE TABLE/i.test(x))!;
  const indexes = activityDdl.filter((x) => /^CREATE INDEX/i.test(x));
  const schemaVariant = (what: string, ddl: string[]) =>
    add(`insert ${activityRows.length} activity rows, one transaction: ${what}`, () => {
      const target = 'bench_profile_activity';
      db.exec(`DROP TABLE IF EXISTS ${target}`);
      for (const x of ddl) db.exec(x.replaceAll('activity_v1', target));
      const insert = db.prepare(`INSERT INTO ${target} VALUES (${activityInfo.map(() => '?').join(', ')})`);
      db.transaction(() => {
        for (const row of activityRows) insert.run(row);
      }).immediate();
      db.exec(`DROP TABLE ${target}`);
    });
  schemaVariant('plain columns', [`CREATE TABLE activity_v1 (${activityInfo.map((c) => `${c.name} ${c.type}`).join(', ')})`]);
  schemaVariant('PRIMARY KEY (position) + UNIQUE (event_id), no secondary index', [createTable]);
  schemaVariant('own DDL without UNIQUE (event_id)', [createTable.replace(/event_id TEXT NOT NULL UNIQUE/, 'event_id TEXT NOT NULL'), ...indexes]);
  schemaVariant('own DDL (PK, UNIQUE, 4 secondary indexes)', [createTable, ...indexes]);

  for (let round = 0; round < reps; round++) {
    const order = round % 2 === 0 ? experiments : [...experiments].reverse();
    for (const e of order) {
      const c = process.cpuUsage();
      const t = performance.now();
      e.fn();
      e.runs.push(performance.now() - t);
      const used = process.cpuUsage(c);
      e.cpu.push((used.user + used.system) / 1000);
    }
    check(`profile round ${round + 1}`);
    log(`profile: round ${round + 1}/${reps} done`);
  }
  return experiments.map((e) => ({ what: e.what, ms: median(e.runs), cpuMs: median(e.cpu), full: e.full }));
};
