import type { RecordedEvent, SqliteDb } from '#event-store';
import { KEY_EVENT_TYPES, type KeyEvent } from '#keys';
import { sqliteIndex } from '../projection.js';
import { SqliteTablesProjection } from '../runner/sqlite-projection.js';
import { activityEntryOf, activityKeyAfter, type ActivityKey } from './activity-feed.rules.js';

export const ACTIVITY_TABLE = 'activity_v1';
const ACTIVITY_KEYS_TABLE = 'activity_keys_v1';

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
    detail TEXT NOT NULL
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

const prepare = (db: SqliteDb) => ({
  insert: db.prepare(
    `INSERT OR IGNORE INTO ${ACTIVITY_TABLE}
     (position, event_id, company_id, type, key_id, key_label, key_owner_user_id, actor_user_id, actor_name, at, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ),
  key: db.prepare(`SELECT label, owner_user_id AS ownerUserId FROM ${ACTIVITY_KEYS_TABLE} WHERE key_id = ?`),
  saveKey: db.prepare(`INSERT OR REPLACE INTO ${ACTIVITY_KEYS_TABLE} (key_id, label, owner_user_id) VALUES (?, ?, ?)`),
});

/** The activity feed (activity-feed.rules.ts) in activity_v1, with its own key records in activity_keys_v1. */
export class ActivityFeedProjection extends SqliteTablesProjection<ReturnType<typeof prepare>> {
  constructor() {
    super(ACTIVITY_TABLE, KEY_EVENT_TYPES, [ACTIVITY_TABLE, ACTIVITY_KEYS_TABLE], DDL, INDEXES, prepare);
  }

  protected applyEvent(event: KeyEvent, recorded: RecordedEvent): void {
    const known = this.stmts.key.get(event.data.keyId) as ActivityKey | undefined;
    const key = activityKeyAfter(event, known);
    if (key && (key.label !== known?.label || key.ownerUserId !== known.ownerUserId)) {
      this.stmts.saveKey.run(event.data.keyId, key.label, key.ownerUserId);
    }
    const e = activityEntryOf(recorded, event, key);
    this.stmts.insert.run(
      e.position, e.eventId, e.companyId, e.type, e.keyId, e.keyLabel, e.keyOwnerUserId, e.actorUserId, e.actorName, e.at, e.detail,
    );
  }
}
