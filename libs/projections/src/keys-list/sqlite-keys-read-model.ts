import type { SqliteDb } from '#event-store';
import { KEYS_LIST_TABLE } from './keys-list.projection.sqlite.js';
import type { KeyListRow, KeysReadModel } from './keys-read-model.js';

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
      lapsed: db.prepare(
        `SELECT company_id AS companyId, key_id AS keyId FROM ${KEYS_LIST_TABLE}
         WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
      ),
    };
  }

  async list(companyId: string, userId: string | null): Promise<KeyListRow[]> {
    return (userId === null ? this.stmts.all.all(companyId) : this.stmts.mine.all(companyId, userId)) as KeyListRow[];
  }

  async get(companyId: string, keyId: string): Promise<KeyListRow | null> {
    return (this.stmts.one.get(companyId, keyId) as KeyListRow | undefined) ?? null;
  }

  async lapsed(now: Date, limit: number): Promise<{ companyId: string; keyId: string }[]> {
    // ISO 8601 UTC strings of one format sort like the instants they name.
    return this.stmts.lapsed.all(now.toISOString(), limit) as { companyId: string; keyId: string }[];
  }
}
