import type { RecordedEvent, SqliteDb } from '#event-store';
import { KEY_EVENT_TYPES, type KeyEvent } from '#keys';
import type { SqliteProjection } from '../projection.js';
import { activityDetail } from './activity-detail.js';

export const ACTIVITY_TABLE = 'activity_v1';
const ACTIVITY_KEYS_TABLE = 'activity_keys_v1';

/**
 * Every lifecycle change and every use, attributed to its user. The row key is the event's global
 * position, so a replayed event is ignored. The projection keeps its own small table of key labels and owners rather
 * than reading another projection, so it can be rebuilt alone.
 */
export class ActivityFeedProjection implements SqliteProjection {
  readonly name = ACTIVITY_TABLE;
  readonly eventTypes = KEY_EVENT_TYPES;
  private stmts!: ReturnType<ActivityFeedProjection['prepare']>;

  init(db: SqliteDb): void {
    db.exec(`
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
        detail TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ${ACTIVITY_TABLE}_by_company ON ${ACTIVITY_TABLE} (company_id, position DESC);
      CREATE INDEX IF NOT EXISTS ${ACTIVITY_TABLE}_by_key ON ${ACTIVITY_TABLE} (company_id, key_id, position DESC);
      CREATE INDEX IF NOT EXISTS ${ACTIVITY_TABLE}_by_actor ON ${ACTIVITY_TABLE} (company_id, actor_user_id, position DESC);
      CREATE INDEX IF NOT EXISTS ${ACTIVITY_TABLE}_by_owner ON ${ACTIVITY_TABLE} (company_id, key_owner_user_id, position DESC);
      CREATE TABLE IF NOT EXISTS ${ACTIVITY_KEYS_TABLE} (
        key_id TEXT PRIMARY KEY,
        label TEXT,
        owner_user_id TEXT NOT NULL
      );
    `);
    this.stmts = this.prepare(db);
  }

  private prepare(db: SqliteDb) {
    return {
      insert: db.prepare(
        `INSERT OR IGNORE INTO ${ACTIVITY_TABLE}
         (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      key: db.prepare(`SELECT label, owner_user_id AS owner FROM ${ACTIVITY_KEYS_TABLE} WHERE key_id = ?`),
      // The acknowledger reserves the key id; the mint names it. Both are the same user.
      upsertKey: db.prepare(
        `INSERT INTO ${ACTIVITY_KEYS_TABLE} (key_id, label, owner_user_id) VALUES (?, ?, ?)
         ON CONFLICT (key_id) DO UPDATE SET label = COALESCE(excluded.label, label)`,
      ),
    };
  }

  reset(db: SqliteDb): void {
    db.exec(`DELETE FROM ${ACTIVITY_TABLE}; DELETE FROM ${ACTIVITY_KEYS_TABLE};`);
  }

  apply(recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as KeyEvent;
    const d = event.data;
    if (event.type === 'KeyAcknowledged') this.stmts.upsertKey.run(d.keyId, null, d.actorUserId);
    if (event.type === 'KeyMinted') this.stmts.upsertKey.run(d.keyId, event.data.label, d.actorUserId);
    const key = this.stmts.key.get(d.keyId) as { label: string | null; owner: string } | undefined;
    const label = key?.label ?? null;
    this.stmts.insert.run(
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
