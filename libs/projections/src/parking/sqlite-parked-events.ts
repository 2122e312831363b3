import type { SqliteDb } from '#event-store';
import type { ParkedEvent, ParkedEvents } from './parked-event.js';

export const PARKED_TABLE = 'projection_parked';

/**
 * The parked list on the embedded profile, in the file of the read models: a park is written in the
 * transaction that moves the projection's checkpoint past the event, so it is never lost nor recorded twice.
 */
export class SqliteParkedEvents implements ParkedEvents {
  private readonly stmts;

  constructor(private readonly db: SqliteDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS ${PARKED_TABLE} (
      projection TEXT NOT NULL,
      position INTEGER NOT NULL,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      error TEXT NOT NULL,
      parked_at TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'parked',
      PRIMARY KEY (projection, position)
    )`);
    this.stmts = {
      // Parked again (a rebuild, a second process): kept as it was, so a skip stays a skip and is not told twice.
      park: db.prepare(
        `INSERT OR IGNORE INTO ${PARKED_TABLE} (projection, position, event_id, type, error, parked_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      counts: db.prepare(`SELECT projection, COUNT(*) AS n FROM ${PARKED_TABLE} WHERE status = 'parked' GROUP BY projection`),
      forget: db.prepare(`DELETE FROM ${PARKED_TABLE} WHERE projection = ? AND status = 'parked'`),
    };
  }

  /** Inside the caller's transaction. True when it is newly parked. */
  park(entry: ParkedEvent): boolean {
    return this.stmts.park.run(entry.projection, entry.position, entry.eventId, entry.type, entry.error, entry.parkedAt).changes > 0;
  }

  /** In a rebuild's transaction: the rebuild parks again whatever still fails (skipped ones stay skipped). */
  forgetParked(projection: string): void {
    this.stmts.forget.run(projection);
  }

  async list(options: { projection?: string; includeSkipped?: boolean; limit?: number } = {}): Promise<ParkedEvent[]> {
    return this.listSync(options);
  }

  /** `projections`: only these projections' parks (the runner's current names; a retired version's are left out). */
  listSync({
    projection,
    projections,
    includeSkipped = false,
    limit = 1000,
  }: { projection?: string; projections?: readonly string[]; includeSkipped?: boolean; limit?: number } = {}): ParkedEvent[] {
    const where = [
      includeSkipped ? null : `status = 'parked'`,
      projection ? 'projection = ?' : null,
      projections ? `projection IN (${projections.map(() => '?').join(',') || 'NULL'})` : null,
    ].filter(Boolean);
    const rows = this.db
      .prepare(
        `SELECT projection, position, event_id AS eventId, type, error, parked_at AS parkedAt, status FROM ${PARKED_TABLE}
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY position, projection LIMIT ?`,
      )
      .all(...(projection ? [projection] : []), ...(projections ?? []), limit);
    return rows as ParkedEvent[];
  }

  async counts(): Promise<Record<string, number>> {
    return this.countsSync();
  }

  countsSync(): Record<string, number> {
    const rows = this.stmts.counts.all() as { projection: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.projection, r.n]));
  }

  async skip(projection: string, positions?: readonly number[]): Promise<number> {
    const base = `UPDATE ${PARKED_TABLE} SET status = 'skipped' WHERE status = 'parked' AND projection = ?`;
    if (!positions) return this.db.prepare(base).run(projection).changes;
    const update = this.db.prepare(`${base} AND position = ?`);
    return this.db.transaction(() => positions.reduce((n, p) => n + update.run(projection, p).changes, 0))();
  }
}
