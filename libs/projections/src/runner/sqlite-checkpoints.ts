import type { SqliteDb } from '#event-store';

/** Each projection's position in the log, stored in the same file and transaction as its rows. */
export class SqliteCheckpoints {
  private readonly get;
  private readonly set;

  constructor(db: SqliteDb) {
    db.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)');
    this.get = db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?').pluck();
    // MAX(): two processes following the same file must never move a checkpoint backwards.
    this.set = db.prepare(
      `INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = MAX(position, excluded.position)`,
    );
    this.reset = db.prepare('INSERT OR REPLACE INTO projection_checkpoints (name, position) VALUES (?, 0)');
  }

  private readonly reset;

  load(name: string): number {
    return (this.get.get(name) as number | undefined) ?? 0;
  }

  save(name: string, position: number): void {
    this.set.run(name, position);
  }

  loadAll(names: readonly string[]): Record<string, number> {
    return Object.fromEntries(names.map((n) => [n, this.load(n)]));
  }

  rewind(name: string): void {
    this.reset.run(name);
  }
}
