import type { SqliteDb } from '#event-store';
import { daysToMs } from '#keys';
import { KEYS_LIST_TABLE } from './keys-list.projection.sqlite.js';
import type { KeyListPageRow, KeyListRow, KeyRef, KeysPageQuery, KeysReadModel } from './keys-read-model.js';

const COLUMNS = `key_id AS keyId, company_id AS companyId, user_id AS userId, user_name AS userName, label, prefix,
  created_at AS createdAt, expires_at AS expiresAt, last_used_at AS lastUsedAt, status, permissions,
  rotated_from AS rotatedFrom, rotated_to AS rotatedTo, overlap_ends_at AS overlapEndsAt, revocation_reason AS revocationReason,
  expiry_warned_days_before AS expiryWarnedDaysBefore`;

type Stored = Omit<KeyListRow, 'permissions'> & { permissions: string };
const rowOf = <T extends Stored>(r: T): Omit<T, 'permissions'> & { permissions: string[] } => ({ ...r, permissions: JSON.parse(r.permissions) as string[] });

/*
 * The effective status in SQL (effectiveStatus of #keys), at @now. ISO 8601 UTC strings of one format sort like
 * the instants they name. A live key (active, suspended) whose rotation overlap ended before its expiry, at or
 * before now, reads revoked; else one past its expiry reads expired.
 */
const LIVE = `status IN ('active', 'suspended')`;
const OVERLAP_ENDED = `(overlap_ends_at IS NOT NULL AND overlap_ends_at < expires_at AND overlap_ends_at <= @now)`;
const WORKING = `expires_at > @now AND NOT ${OVERLAP_ENDED}`;

export class SqliteKeysReadModel implements KeysReadModel {
  private readonly stmts;

  constructor(db: SqliteDb) {
    const from = `FROM ${KEYS_LIST_TABLE} WHERE status != 'deleted' AND company_id = ?`;
    this.stmts = {
      all: db.prepare(`SELECT ${COLUMNS} ${from} ORDER BY created_position DESC`),
      mine: db.prepare(`SELECT ${COLUMNS} ${from} AND user_id = ? ORDER BY created_position DESC`),
      one: db.prepare(`SELECT ${COLUMNS} ${from} AND key_id = ?`),
      page: db.prepare(
        `SELECT ${COLUMNS}, created_position AS position ${from}
           AND (@owner IS NULL OR user_id = @owner) AND (@userId IS NULL OR user_id = @userId)
           AND (@before IS NULL OR created_position < @before)
           AND (@status IS NULL
             OR (@status = 'active' AND status = 'active' AND ${WORKING})
             OR (@status = 'suspended' AND status = 'suspended' AND ${WORKING})
             OR (@status = 'revoked' AND (status = 'revoked' OR (${LIVE} AND ${OVERLAP_ENDED})))
             OR (@status = 'expired' AND (status = 'expired' OR (${LIVE} AND expires_at <= @now AND NOT ${OVERLAP_ENDED}))))
         ORDER BY created_position DESC LIMIT @limit`.replace('company_id = ?', 'company_id = @companyId'),
      ),
      lapsed: db.prepare(
        `SELECT company_id AS companyId, key_id AS keyId FROM ${KEYS_LIST_TABLE}
         WHERE ${LIVE} AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
      overlapsEnded: db.prepare(
        `SELECT company_id AS companyId, key_id AS keyId FROM ${KEYS_LIST_TABLE}
         WHERE ${LIVE} AND overlap_ends_at <= @now AND overlap_ends_at < expires_at ORDER BY overlap_ends_at LIMIT @limit`,
      ),
      expiryWarningsDue: db.prepare(
        `SELECT company_id AS companyId, key_id AS keyId FROM ${KEYS_LIST_TABLE}
         WHERE ${LIVE} AND expires_at > @now AND expires_at <= @horizon AND overlap_ends_at IS NULL
           AND (expiry_warned_days_before IS NULL OR expiry_warned_days_before > @days)
         ORDER BY expires_at LIMIT @limit`,
      ),
    };
  }

  async list(companyId: string, userId: string | null): Promise<KeyListRow[]> {
    return ((userId === null ? this.stmts.all.all(companyId) : this.stmts.mine.all(companyId, userId)) as Stored[]).map(rowOf);
  }

  async page(q: KeysPageQuery): Promise<KeyListPageRow[]> {
    const rows = this.stmts.page.all({
      companyId: q.companyId,
      owner: q.visibleToOwner,
      userId: q.userId ?? null,
      before: q.before ?? null,
      status: q.status ?? null,
      now: q.now.toISOString(),
      limit: q.limit,
    }) as (Stored & { position: number })[];
    return rows.map(rowOf);
  }

  async get(companyId: string, keyId: string): Promise<KeyListRow | null> {
    const row = this.stmts.one.get(companyId, keyId) as Stored | undefined;
    return row ? rowOf(row) : null;
  }

  async lapsed(now: Date, limit: number): Promise<KeyRef[]> {
    return this.stmts.lapsed.all(now.toISOString(), limit) as KeyRef[];
  }

  async overlapsEnded(now: Date, limit: number): Promise<KeyRef[]> {
    return this.stmts.overlapsEnded.all({ now: now.toISOString(), limit }) as KeyRef[];
  }

  async expiryWarningsDue(now: Date, days: number, limit: number): Promise<KeyRef[]> {
    const horizon = new Date(now.getTime() + daysToMs(days)).toISOString();
    return this.stmts.expiryWarningsDue.all({ now: now.toISOString(), horizon, days, limit }) as KeyRef[];
  }
}
