import type { SqliteDb } from '#event-store';
import { KEYS_LIST_TABLE } from './keys-list.projection.sqlite.js';
import type { KeyListPageRow, KeyListRow, KeysPageQuery, KeysReadModel } from './keys-read-model.js';

const COLUMNS = `key_id AS keyId, company_id AS companyId, user_id AS userId, user_name AS userName, label, prefix,
  created_at AS createdAt, expires_at AS expiresAt, last_used_at AS lastUsedAt, status`;

export class SqliteKeysReadModel implements KeysReadModel {
  private readonly stmts;

  constructor(db: SqliteDb) {
    const from = `FROM ${KEYS_LIST_TABLE} WHERE status != 'deleted' AND company_id = ?`;
    this.stmts = {
      all: db.prepare(`SELECT ${COLUMNS} ${from} ORDER BY created_position DESC`),
      mine: db.prepare(`SELECT ${COLUMNS} ${from} AND user_id = ? ORDER BY created_position DESC`),
      one: db.prepare(`SELECT ${COLUMNS} ${from} AND key_id = ?`),
      // The status filter is the effective one (key-status rules): stored active past its expiry reads expired.
      page: db.prepare(
        `SELECT ${COLUMNS}, created_position AS position ${from}
           AND (@owner IS NULL OR user_id = @owner) AND (@userId IS NULL OR user_id = @userId)
           AND (@before IS NULL OR created_position < @before)
           AND (@status IS NULL
             OR (@status = 'revoked' AND status = 'revoked')
             OR (@status = 'active' AND status = 'active' AND expires_at > @now)
             OR (@status = 'expired' AND (status = 'expired' OR (status = 'active' AND expires_at <= @now))))
         ORDER BY created_position DESC LIMIT @limit`.replace('company_id = ?', 'company_id = @companyId'),
      ),
      lapsed: db.prepare(
        `SELECT company_id AS companyId, key_id AS keyId FROM ${KEYS_LIST_TABLE}
         WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
    };
  }

  async list(companyId: string, userId: string | null): Promise<KeyListRow[]> {
    return (userId === null ? this.stmts.all.all(companyId) : this.stmts.mine.all(companyId, userId)) as KeyListRow[];
  }

  async page(q: KeysPageQuery): Promise<KeyListPageRow[]> {
    return this.stmts.page.all({
      companyId: q.companyId,
      owner: q.visibleToOwner,
      userId: q.userId ?? null,
      before: q.before ?? null,
      status: q.status ?? null,
      // ISO 8601 UTC strings of one format sort like the instants they name.
      now: q.now.toISOString(),
      limit: q.limit,
    }) as KeyListPageRow[];
  }

  async get(companyId: string, keyId: string): Promise<KeyListRow | null> {
    return (this.stmts.one.get(companyId, keyId) as KeyListRow | undefined) ?? null;
  }

  async lapsed(now: Date, limit: number): Promise<{ companyId: string; keyId: string }[]> {
    // ISO 8601 UTC strings of one format sort like the instants they name.
    return this.stmts.lapsed.all(now.toISOString(), limit) as { companyId: string; keyId: string }[];
  }
}
