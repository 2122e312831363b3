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
  useMinuteOf,
  type ActivityEntry,
  type ActivityKey,
  type UseBucket,
} from './activity-feed.rules.js';

export const ACTIVITY_TABLE = 'activity_v2';
export const ACTIVITY_KEYS_TABLE = 'activity_keys_v2';

/**
 * The roll-up's key in the table (bucket_id, UNIQUE): its minute, then its id (bucketIdOf, what the API answers
 * as the entry's id, kept in event_id). The id alone is a hash, so each new roll-up landed at a random place of
 * the UNIQUE index's B-tree, which a rebuild maintains row by row: at 1M events most of the superlinear part of
 * it. Minute first, roll-ups are inserted near the end of the index, in the order the log brings them. v1 held
 * the id alone: a new table version (v2), so one table never mixes the two and a file with v1 is rebuilt.
 */
export const bucketRowKeyOf = (minute: string, bucketId: string): string => `${minute}|${bucketId}`;

/**
 * One row per lifecycle event (position: the event's) and one per roll-up of uses (bucket_id set, position: the
 * highest use counted, moved up as it grows; the use columns set). The rowid is the position: the feed's order.
 * A roll-up's event_id is its id (bucketIdOf), its bucket_id the key of its row (bucketRowKeyOf).
 * A file of an earlier version keeps its activity_v1 and activity_keys_v1 (no longer written; v1 of before the
 * roll-ups had one row per use): activity_v2 has no checkpoint there, so the runner builds it from the log at start.
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

const BUCKET_COLUMNS = `event_id AS bucketId, company_id AS companyId, key_id AS keyId, key_label AS keyLabel,
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
      @lastAt, @detail, @bucketRowKey, @tool, @clientName, @clientVersion, @minute, @count, @firstAt, @lastAt, @ok, @error,
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
 * The activity feed (activity-feed.rules.ts) in activity_v2, with its own key records in activity_keys_v2. A
 * batch's uses are folded per roll-up in memory (each roll-up read once) and each roll-up touched is written
 * once, after the batch's lifecycle entries; the key records are read once per batch.
 */
export class ActivityFeedProjection extends SqliteTablesProjection<ReturnType<typeof prepare>> {
  /** bucketHorizon: how long a rebuild keeps a roll-up open (BUCKET_HORIZON; tests shorten it). */
  constructor(private readonly options: { bucketHorizon?: number } = {}) {
    super(ACTIVITY_TABLE, KEY_EVENT_TYPES, [ACTIVITY_TABLE, ACTIVITY_KEYS_TABLE], DDL, INDEXES, prepare);
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
          const stored = this.rows.storedBucket(bucketKey, useMinuteOf(event));
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
    storedBucket: (bucketKey: string, minute: string) =>
      bucketOfRow(this.stmts.bucket.get(bucketRowKeyOf(minute, bucketIdOf(bucketKey))) as BucketRow | undefined),
    saveBucket: ({ outcomes, ...row }: UseBucket) =>
      void this.stmts.saveBucket.run({ ...row, ...outcomes, bucketRowKey: bucketRowKeyOf(row.minute, row.bucketId) }),
    insertBucket: (b: UseBucket) =>
      void this.stmts.newBucket.run(
        b.lastPosition, b.bucketId, b.companyId, b.keyId, b.keyLabel, b.keyOwnerUserId, b.actorUserId, b.actorName, b.lastAt, b.detail,
        bucketRowKeyOf(b.minute, b.bucketId), b.tool, b.clientName, b.clientVersion, b.minute, b.count, b.firstAt, b.lastAt, b.outcomes.ok, b.outcomes.error,
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
