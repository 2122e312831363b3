import type { RecordedEvent, SqliteDb } from '#event-store';
import { KEY_EVENT_TYPES, type KeyEvent } from '#keys';
import { keyEventOf, sqliteIndex, type SqliteBulkLoad } from '../projection.js';
import { SqliteTablesProjection } from '../runner/sqlite-projection.js';
import { ActivityFeedBulkLoad, type ActivityRows } from './activity-feed.bulk-load.sqlite.js';
import {
  activityEntryOf,
  activityKeyAfter,
  bucketIdOf,
  foldUse,
  useBucketKey,
  type ActivityEntry,
  type ActivityKey,
  type UseBucket,
} from './activity-feed.rules.js';

export const ACTIVITY_TABLE = 'activity_v1';
const ACTIVITY_KEYS_TABLE = 'activity_keys_v1';

/**
 * One row per lifecycle event (position: the event's) and one per roll-up of uses (bucket_id set, position: the
 * highest use counted, moved up as it grows; the use columns set). The rowid is the position: the feed's order.
 */
const DDL = `
  CREATE TABLE IF NOT EXISTS ${ACTIVITY_TABLE} (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    company_id TEXT NOT NULL,
    type TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_label TEXT,
    key_owner_user_id TEXT NOT NULL,
    actor_user_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL,
    bucket_id TEXT UNIQUE,
    tool TEXT, client_name TEXT, client_version TEXT, minute TEXT,
    count INTEGER, first_at TEXT, last_at TEXT, ok INTEGER, error INTEGER, denied INTEGER, first_position INTEGER
  );
  CREATE TABLE IF NOT EXISTS ${ACTIVITY_KEYS_TABLE} (
    key_id TEXT PRIMARY KEY,
    label TEXT,
    owner_user_id TEXT NOT NULL
  );
`;

const INDEXES = [
  sqliteIndex(`${ACTIVITY_TABLE}_by_company`, ACTIVITY_TABLE, 'company_id, position DESC'),
  sqliteIndex(`${ACTIVITY_TABLE}_by_key`, ACTIVITY_TABLE, 'company_id, key_id, position DESC'),
  sqliteIndex(`${ACTIVITY_TABLE}_by_actor`, ACTIVITY_TABLE, 'company_id, actor_user_id, position DESC'),
  sqliteIndex(`${ACTIVITY_TABLE}_by_owner`, ACTIVITY_TABLE, 'company_id, key_owner_user_id, position DESC'),
];

const BUCKET_COLUMNS = `bucket_id AS bucketId, company_id AS companyId, key_id AS keyId, key_label AS keyLabel,
  key_owner_user_id AS keyOwnerUserId, actor_user_id AS actorUserId, actor_name AS actorName, tool,
  client_name AS clientName, client_version AS clientVersion, minute, count, first_at AS firstAt, last_at AS lastAt,
  ok, error, denied, first_position AS firstPosition, position AS lastPosition, detail`;

type BucketRow = Omit<UseBucket, 'outcomes'> & { ok: number; error: number; denied: number };

const prepare = (db: SqliteDb) => ({
  insert: db.prepare(
    `INSERT OR IGNORE INTO ${ACTIVITY_TABLE}
     (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  bucket: db.prepare(`SELECT ${BUCKET_COLUMNS} FROM ${ACTIVITY_TABLE} WHERE bucket_id = ?`),
  // The whole roll-up as folded in memory; the guard keeps a stale write from moving it back.
  saveBucket: db.prepare(
    `INSERT INTO ${ACTIVITY_TABLE}
     (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail,
      bucket_id, tool, client_name, client_version, minute, count, first_at, last_at, ok, error, denied, first_position)
     VALUES (@lastPosition, @bucketId, @companyId, 'KeyUsed', @keyId, @keyLabel, @keyOwnerUserId, @actorUserId, @actorName,
      @lastAt, @detail, @bucketId, @tool, @clientName, @clientVersion, @minute, @count, @firstAt, @lastAt, @ok, @error,
      @denied, @firstPosition)
     ON CONFLICT (bucket_id) DO UPDATE SET
       position = excluded.position, key_label = excluded.key_label, key_owner_user_id = excluded.key_owner_user_id,
       actor_name = excluded.actor_name, at = excluded.at, detail = excluded.detail, count = excluded.count,
       first_at = excluded.first_at, last_at = excluded.last_at, ok = excluded.ok, error = excluded.error,
       denied = excluded.denied
     WHERE excluded.position > ${ACTIVITY_TABLE}.position`,
  ),
  // A roll-up the table does not hold yet (a rebuild knows): a plain insert, positional (no upsert, no names to bind).
  newBucket: db.prepare(
    `INSERT INTO ${ACTIVITY_TABLE}
     (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail,
      bucket_id, tool, client_name, client_version, minute, count, first_at, last_at, ok, error, denied, first_position)
     VALUES (?, ?, ?, 'KeyUsed', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  key: db.prepare(`SELECT label, owner_user_id AS ownerUserId FROM ${ACTIVITY_KEYS_TABLE} WHERE key_id = ?`),
  saveKey: db.prepare(`INSERT OR REPLACE INTO ${ACTIVITY_KEYS_TABLE} (key_id, label, owner_user_id) VALUES (?, ?, ?)`),
});

/**
 * The activity feed (activity-feed.rules.ts) in activity_v1, with its own key records in activity_keys_v1. A
 * batch's uses are folded per roll-up in memory (each roll-up read once) and each roll-up touched is written
 * once, after the batch's lifecycle entries; the key records are read once per batch.
 */
export class ActivityFeedProjection extends SqliteTablesProjection<ReturnType<typeof prepare>> {
  /** bucketHorizon: how long a rebuild keeps a roll-up open (BUCKET_HORIZON; tests shorten it). */
  constructor(private readonly options: { bucketHorizon?: number } = {}) {
    super(ACTIVITY_TABLE, KEY_EVENT_TYPES, [ACTIVITY_TABLE, ACTIVITY_KEYS_TABLE], DDL, INDEXES, prepare);
  }

  override init(db: SqliteDb): void {
    dropPerUseFeed(db);
    super.init(db);
  }

  override apply(events: readonly RecordedEvent[]): void {
    const keys = new Map<string, ActivityKey | undefined>();
    const keyOf = (keyId: string): ActivityKey | undefined => {
      if (!keys.has(keyId)) keys.set(keyId, this.stmts.key.get(keyId) as ActivityKey | undefined);
      return keys.get(keyId);
    };
    // Each roll-up of the batch: as stored, and as folded.
    const buckets = new Map<string, { stored: UseBucket | undefined; folded: UseBucket | undefined }>();
    for (const recorded of events) {
      const event = keyEventOf(recorded);
      const { keyId } = event.data;
      const known = keyOf(keyId);
      if (event.type === 'KeyUsed') {
        const bucketKey = useBucketKey(event);
        let bucket = buckets.get(bucketKey);
        if (bucket === undefined) {
          const stored = this.rows.storedBucket(bucketIdOf(bucketKey));
          bucket = { stored, folded: stored };
          buckets.set(bucketKey, bucket);
        }
        bucket.folded = foldUse(bucket.folded, event, recorded.globalPosition, known, bucketKey);
        continue;
      }
      this.applyLifecycle(event, recorded, known, keys);
    }
    for (const { stored, folded } of buckets.values()) {
      if (folded !== undefined && folded !== stored) this.rows.saveBucket(folded);
    }
  }

  /** A rebuild's fold: each row written once, in position order, nothing read back by key (ActivityFeedBulkLoad). */
  bulkLoad(): SqliteBulkLoad {
    return new ActivityFeedBulkLoad(this.rows, this.options.bucketHorizon);
  }

  /** Its rows through the prepared statements: one set of writes for apply() and the rebuild's fold. */
  private readonly rows: ActivityRows = {
    insertEntry: (e: ActivityEntry) =>
      void this.stmts.insert.run(
        e.position, e.eventId, e.companyId, e.type, e.keyId, e.keyLabel, e.keyOwnerUserId, e.actorUserId, e.actorName, e.at, e.detail,
      ),
    storedBucket: (bucketId: string) => bucketOfRow(this.stmts.bucket.get(bucketId) as BucketRow | undefined),
    saveBucket: ({ outcomes, ...row }: UseBucket) => void this.stmts.saveBucket.run({ ...row, ...outcomes }),
    insertBucket: (b: UseBucket) =>
      void this.stmts.newBucket.run(
        b.lastPosition, b.bucketId, b.companyId, b.keyId, b.keyLabel, b.keyOwnerUserId, b.actorUserId, b.actorName, b.lastAt, b.detail,
        b.bucketId, b.tool, b.clientName, b.clientVersion, b.minute, b.count, b.firstAt, b.lastAt, b.outcomes.ok, b.outcomes.error,
        b.outcomes.denied, b.firstPosition,
      ),
    saveKey: (keyId: string, key: ActivityKey) => void this.stmts.saveKey.run(keyId, key.label, key.ownerUserId),
  };

  protected applyEvent(): void {
    throw new Error('ActivityFeedProjection applies whole batches');
  }

  private applyLifecycle(
    event: Exclude<KeyEvent, { type: 'KeyUsed' }>,
    recorded: RecordedEvent,
    known: ActivityKey | undefined,
    keys: Map<string, ActivityKey | undefined>,
  ): void {
    const key = activityKeyAfter(event, known);
    if (key && (key.label !== known?.label || key.ownerUserId !== known.ownerUserId)) {
      this.rows.saveKey(event.data.keyId, key);
      keys.set(event.data.keyId, key);
    }
    this.rows.insertEntry(activityEntryOf(recorded, event, key));
  }
}

const bucketOfRow = (row: BucketRow | undefined): UseBucket | undefined => {
  if (row === undefined) return undefined;
  const { ok, error, denied, ...rest } = row;
  return { ...rest, outcomes: { ok, error, denied } };
};

/**
 * A file written before uses were rolled up holds activity_v1 with one row per use: drop it (and its key
 * records) and its checkpoint, so the runner rebuilds the feed from the log at start. Runs before the DDL.
 */
const dropPerUseFeed = (db: SqliteDb): void => {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${ACTIVITY_TABLE}')`).pluck().all() as string[];
  if (columns.length === 0 || columns.includes('bucket_id')) return;
  db.transaction(() => {
    db.exec(`DROP TABLE ${ACTIVITY_TABLE}; DROP TABLE IF EXISTS ${ACTIVITY_KEYS_TABLE};`);
    const hasCheckpoints = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projection_checkpoints'`).get();
    if (hasCheckpoints) db.prepare('DELETE FROM projection_checkpoints WHERE name = ?').run(ACTIVITY_TABLE);
  })();
};
