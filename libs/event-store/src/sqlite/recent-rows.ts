/** A row of the events table, as SQLite returns it. */
export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_position: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

/**
 * The rows this process appended last, as SQLite would return them, so its live subscriptions (the projection runner,
 * the hot-key table, …) take them from memory instead of reading back what was just written: reading and decoding a
 * use's row was the largest part of following the log under load (bench/README.md, issue 11).
 *
 * The rows held are always contiguous: positions (from, to], every one present. SQLite's positions are unique and only
 * grow, and the log is append-only, so a contiguous run holds every event of its range, whoever wrote it; a row that
 * does not follow the last (another process's append came between, or rows of this one that were not kept) starts a
 * new run. A reader is served the rows after a position when the log's head, read in the same synchronous step, is `to`
 * (`serves`): they are then exactly what SQLite holds after it; or, from any position the run `covers`, as the log was
 * when `to` was its head.
 */
export class RecentRows {
  private rows: EventRow[] = [];
  /** Characters of data and metadata held: an audit digest is ~55 KB against a few hundred bytes for a use. */
  private chars = 0;

  constructor(
    /** Rows kept after a trim; up to twice as many between two. */
    private readonly capacity: number,
    /** Characters kept after a trim, likewise: a run of digests (a catch-up) is bounded by its size, not its count. */
    private readonly maxChars: number,
  ) {}

  /** Position of the last row held (-1: none). */
  get to(): number {
    return this.rows.length ? this.rows[this.rows.length - 1].global_position : -1;
  }

  /** Position before the first row held (the run is contiguous); -1 while nothing is held. */
  private get from(): number {
    return this.rows.length ? this.rows[0].global_position - 1 : -1;
  }

  /** Forgets every row: the next added starts a new run. */
  clear(): void {
    this.rows = [];
    this.chars = 0;
  }

  /** Rows just committed, in position order. */
  add(rows: readonly EventRow[]): void {
    if (rows.length === 0) return;
    if (this.rows.length > 0 && rows[0].global_position !== this.to + 1) this.clear();
    for (const row of rows) {
      this.rows.push(row);
      this.chars += sizeOf(row);
    }
    // Trimmed by halves, not row by row: at most one copy per `capacity` rows or `maxChars` characters added.
    if (this.rows.length > 2 * this.capacity || this.chars > 2 * this.maxChars) this.trim();
  }

  private trim(): void {
    let drop = 0;
    while (drop < this.rows.length && (this.rows.length - drop > this.capacity || this.chars > this.maxChars)) this.chars -= sizeOf(this.rows[drop++]);
    this.rows = this.rows.slice(drop); // all of them when one row is larger than maxChars
  }

  /** Whether a read after `after` can be served, the log's head being `head`. */
  serves(after: number, head: number): boolean {
    return this.rows.length > 0 && head === this.to && after >= this.from;
  }

  /** Whether every row after `after` up to the last held is held: an earlier snapshot of the log, whatever came since. */
  covers(after: number): boolean {
    return this.rows.length > 0 && after >= this.from && after <= this.to;
  }

  /** What `SELECT … WHERE global_position > after [AND type IN types] ORDER BY global_position LIMIT maxCount` returns. */
  read(after: number, maxCount: number, types?: readonly string[]): EventRow[] {
    const out: EventRow[] = [];
    // floor: a reader may stand between two positions (a checkpoint of 0.5 is before the first event).
    for (let i = Math.max(0, Math.floor(after) - this.from); i < this.rows.length && out.length < maxCount; i++) {
      const row = this.rows[i];
      if (!types?.length || types.includes(row.type)) out.push(row);
    }
    return out;
  }
}

const sizeOf = (row: EventRow): number => row.data.length + row.metadata.length;
