import type { SqliteDb } from '#event-store';
import { DELIVERY_LOG_SIZE, type DeliveryAttempt, type RetryState, type WebhookEndpoint, type WebhookStore } from './webhook-store.port.js';

export const WEBHOOK_ENDPOINTS_TABLE = 'webhook_endpoints';
export const WEBHOOK_DELIVERIES_TABLE = 'webhook_deliveries';

interface EndpointRow {
  id: string;
  company_id: string;
  url: string;
  secret_ciphertext: string;
  created_at: string;
  created_by: string;
  cursor: number;
  retry: string | null;
  last_delivery: string | null;
}

interface AttemptRow {
  endpoint_id: string;
  event_id: string;
  type: string;
  position: number;
  attempt: number;
  at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  delivered: number;
  next_retry_at: string | null;
}

const endpointOf = (row: EndpointRow): WebhookEndpoint => ({
  id: row.id,
  companyId: row.company_id,
  url: row.url,
  secretCiphertext: row.secret_ciphertext,
  createdAt: row.created_at,
  createdBy: row.created_by,
  cursor: row.cursor,
  retry: row.retry ? (JSON.parse(row.retry) as RetryState) : null,
  lastDelivery: row.last_delivery ? (JSON.parse(row.last_delivery) as DeliveryAttempt) : null,
});

const attemptOf = (row: AttemptRow): DeliveryAttempt => ({
  endpointId: row.endpoint_id,
  eventId: row.event_id,
  type: row.type,
  position: row.position,
  attempt: row.attempt,
  at: row.at,
  durationMs: row.duration_ms,
  statusCode: row.status_code,
  error: row.error,
  delivered: row.delivered === 1,
  nextRetryAt: row.next_retry_at,
});

const COLUMNS = 'id, company_id, url, secret_ciphertext, created_at, created_by, cursor, retry, last_delivery';

/**
 * The embedded profile's webhook store: two tables in the SQLite file of the log and the read models, on a
 * connection of its own (create-app opens it), so its small writes (a cursor, an attempt) never wait behind a
 * projection pass. Every operation is one statement or one transaction, so two processes sharing the file see each
 * other's leases and cursors at once (WAL, busy_timeout). These are not read models: a rebuild leaves them alone.
 */
export class SqliteWebhookStore implements WebhookStore {
  private stmts!: ReturnType<SqliteWebhookStore['prepare']>;

  constructor(private readonly db: SqliteDb) {}

  async init(): Promise<void> {
    this.initSync();
  }

  initSync(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${WEBHOOK_ENDPOINTS_TABLE} (
      id TEXT PRIMARY KEY,
      company_id TEXT NOT NULL,
      url TEXT NOT NULL,
      secret_ciphertext TEXT NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT NOT NULL,
      cursor INTEGER NOT NULL,
      retry TEXT,
      last_delivery TEXT,
      lease_owner TEXT,
      lease_until INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS ${WEBHOOK_ENDPOINTS_TABLE}_by_company ON ${WEBHOOK_ENDPOINTS_TABLE} (company_id, created_at);
    CREATE TABLE IF NOT EXISTS ${WEBHOOK_DELIVERIES_TABLE} (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      endpoint_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      position INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      at TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      status_code INTEGER,
      error TEXT,
      delivered INTEGER NOT NULL,
      next_retry_at TEXT
    );
    CREATE INDEX IF NOT EXISTS ${WEBHOOK_DELIVERIES_TABLE}_by_endpoint ON ${WEBHOOK_DELIVERIES_TABLE} (endpoint_id, seq);`);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    const E = WEBHOOK_ENDPOINTS_TABLE;
    const D = WEBHOOK_DELIVERIES_TABLE;
    return {
      count: db.prepare(`SELECT COUNT(*) FROM ${E} WHERE company_id = ?`).pluck(),
      insert: db.prepare(
        `INSERT INTO ${E} (id, company_id, url, secret_ciphertext, created_at, created_by, cursor, retry, last_delivery) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
      ),
      list: db.prepare(`SELECT ${COLUMNS} FROM ${E} WHERE company_id = ? ORDER BY rowid`),
      get: db.prepare(`SELECT ${COLUMNS} FROM ${E} WHERE company_id = ? AND id = ?`),
      byId: db.prepare(`SELECT ${COLUMNS} FROM ${E} WHERE id = ?`),
      all: db.prepare(`SELECT ${COLUMNS} FROM ${E} ORDER BY rowid`),
      remove: db.prepare(`DELETE FROM ${E} WHERE company_id = ? AND id = ?`),
      removeLog: db.prepare(`DELETE FROM ${D} WHERE endpoint_id = ?`),
      lease: db.prepare(
        `UPDATE ${E} SET lease_owner = @owner, lease_until = @until WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until < @now)`,
      ),
      release: db.prepare(`UPDATE ${E} SET lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?`),
      advance: db.prepare(
        `UPDATE ${E} SET cursor = MAX(cursor, @position), retry = NULL WHERE id = @id AND lease_owner = @owner`,
      ),
      delivered: db.prepare(
        `UPDATE ${E} SET cursor = MAX(cursor, @position), retry = NULL, last_delivery = @last WHERE id = @id AND lease_owner = @owner`,
      ),
      failed: db.prepare(`UPDATE ${E} SET retry = @retry, last_delivery = @last WHERE id = @id AND lease_owner = @owner`),
      logAttempt: db.prepare(
        `INSERT INTO ${D} (endpoint_id, event_id, type, position, attempt, at, duration_ms, status_code, error, delivered, next_retry_at)
         VALUES (@endpointId, @eventId, @type, @position, @attempt, @at, @durationMs, @statusCode, @error, @delivered, @nextRetryAt)`,
      ),
      // Keeps the newest DELIVERY_LOG_SIZE of the endpoint: everything at or below the (size+1)-th newest goes.
      trim: db.prepare(
        `DELETE FROM ${D} WHERE endpoint_id = @id AND seq <= (SELECT seq FROM ${D} WHERE endpoint_id = @id ORDER BY seq DESC LIMIT 1 OFFSET ${DELIVERY_LOG_SIZE})`,
      ),
      deliveries: db.prepare(
        `SELECT endpoint_id, event_id, type, position, attempt, at, duration_ms, status_code, error, delivered, next_retry_at
         FROM ${D} WHERE endpoint_id = ? ORDER BY seq DESC LIMIT ?`,
      ),
    };
  }

  async add(endpoint: WebhookEndpoint, maxPerCompany: number): Promise<'added' | 'limit'> {
    // The count and the insert in one write transaction (BEGIN IMMEDIATE): two processes cannot both take the last place.
    return this.db
      .transaction((): 'added' | 'limit' => {
        if ((this.stmts.count.get(endpoint.companyId) as number) >= maxPerCompany) return 'limit';
        const e = endpoint;
        this.stmts.insert.run(e.id, e.companyId, e.url, e.secretCiphertext, e.createdAt, e.createdBy, e.cursor);
        return 'added';
      })
      .immediate();
  }

  async list(companyId: string): Promise<WebhookEndpoint[]> {
    return (this.stmts.list.all(companyId) as EndpointRow[]).map(endpointOf);
  }

  async get(companyId: string, id: string): Promise<WebhookEndpoint | null> {
    const row = this.stmts.get.get(companyId, id) as EndpointRow | undefined;
    return row ? endpointOf(row) : null;
  }

  async remove(companyId: string, id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const removed = this.stmts.remove.run(companyId, id).changes > 0;
      if (removed) this.stmts.removeLog.run(id);
      return removed;
    })();
  }

  async all(): Promise<WebhookEndpoint[]> {
    return (this.stmts.all.all() as EndpointRow[]).map(endpointOf);
  }

  async lease(id: string, owner: string, nowMs: number, untilMs: number): Promise<WebhookEndpoint | null> {
    return this.db.transaction(() => {
      if (this.stmts.lease.run({ id, owner, now: nowMs, until: untilMs }).changes === 0) return null;
      const row = this.stmts.byId.get(id) as EndpointRow | undefined;
      return row ? endpointOf(row) : null;
    })();
  }

  async release(id: string, owner: string): Promise<void> {
    this.stmts.release.run(id, owner);
  }

  async advance(id: string, owner: string, position: number): Promise<boolean> {
    return this.stmts.advance.run({ id, owner, position }).changes > 0;
  }

  async recordAttempt(attempt: DeliveryAttempt, owner: string, retry: RetryState | null): Promise<boolean> {
    return this.db.transaction(() => {
      const last = JSON.stringify(attempt);
      const held = attempt.delivered
        ? this.stmts.delivered.run({ id: attempt.endpointId, owner, position: attempt.position, last }).changes > 0
        : this.stmts.failed.run({ id: attempt.endpointId, owner, retry: retry ? JSON.stringify(retry) : null, last }).changes > 0;
      // An attempt made is logged even when the lease was lost meanwhile (it did reach the receiver), unless the
      // endpoint is gone.
      if (held || this.stmts.byId.get(attempt.endpointId)) {
        this.stmts.logAttempt.run({ ...attempt, delivered: attempt.delivered ? 1 : 0 });
        this.stmts.trim.run({ id: attempt.endpointId });
      }
      return held;
    })();
  }

  async deliveries(endpointId: string, limit: number): Promise<DeliveryAttempt[]> {
    return (this.stmts.deliveries.all(endpointId, limit) as AttemptRow[]).map(attemptOf);
  }
}
