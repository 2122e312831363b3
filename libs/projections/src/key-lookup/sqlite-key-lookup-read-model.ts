import type { SqliteDb } from '#event-store';
import { KEY_LOOKUP_TABLE } from './key-lookup.projection.sqlite.js';
import type { KeyLookupEntry, KeyLookupReadModel, PositionedKeyLookupEntry } from './key-lookup-read-model.js';

const COLUMNS = `key_id AS keyId, company_id AS companyId, user_id AS userId, user_name AS userName,
  creator_role AS creatorRole, permissions, verifier, status, expires_at AS expiresAt, rotated_to AS rotatedTo,
  overlap_ends_at AS overlapEndsAt`;

type Row = Omit<KeyLookupEntry, 'permissions'> & { permissions: string };
const toEntry = (r: Row): KeyLookupEntry => ({ ...r, permissions: JSON.parse(r.permissions) as string[] });

export class SqliteKeyLookupReadModel implements KeyLookupReadModel {
  private readonly one;
  private readonly every;
  private readonly live;

  constructor(db: SqliteDb) {
    this.one = db.prepare(`SELECT ${COLUMNS} FROM ${KEY_LOOKUP_TABLE} WHERE key_id = ?`);
    this.every = db.prepare(`SELECT ${COLUMNS} FROM ${KEY_LOOKUP_TABLE} ORDER BY key_id`);
    this.live = db.prepare(
      `SELECT ${COLUMNS}, last_position AS position FROM ${KEY_LOOKUP_TABLE}
       WHERE (status IN ('active', 'suspended') AND expires_at > ?) OR last_position > ?`,
    );
  }

  async get(keyId: string): Promise<KeyLookupEntry | null> {
    const row = this.one.get(keyId) as Row | undefined;
    return row ? toEntry(row) : null;
  }

  async all(): Promise<KeyLookupEntry[]> {
    return this.allSync();
  }

  /** For seeding the hot table at start, before anything else can run. */
  allSync(): KeyLookupEntry[] {
    return (this.every.all() as Row[]).map(toEntry);
  }

  async liveSince(checkpoint: number, now: Date): Promise<PositionedKeyLookupEntry[]> {
    return this.liveSinceSync(checkpoint, now);
  }

  /** For seeding the hot table at start, before anything else can run (see KeyLookupReadModel.liveSince). */
  liveSinceSync(checkpoint: number, now: Date): PositionedKeyLookupEntry[] {
    return (this.live.all(now.toISOString(), checkpoint) as (Row & { position: number })[]).map(
      (r) => toEntry(r) as PositionedKeyLookupEntry,
    );
  }
}
