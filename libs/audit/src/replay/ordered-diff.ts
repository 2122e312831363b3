import type { ReplayColumnDifference, ReplayDifference, ReplayRowKey, ReplayTableComparison } from './replay-report.js';

/** One row as a store returns it, column (field) → value. */
export type Row = Record<string, unknown>;

export interface OrderedComparison {
  table: string;
  /** Both in ascending primary-key order, as compareKeys orders them. */
  live: Iterable<Row> | AsyncIterable<Row>;
  replayed: Iterable<Row> | AsyncIterable<Row>;
  keyColumns: readonly string[];
  /** The columns to compare on a pair of rows with the same key (MongoDB documents may differ in their fields). */
  columnsOf(live: Row, replayed: Row): readonly string[];
  same(live: unknown, replayed: unknown): boolean;
  maxShown: number;
  /** Differences of the table itself, found before the rows: counted and shown first. */
  schema?: readonly string[];
}

/**
 * Rank of a key value's type in both stores' orders: SQLite sorts NULL, numbers, text, blobs; MongoDB (BSON) null,
 * numbers, strings, then objects and the rest. Text is compared by UTF-8 bytes, as SQLite's BINARY collation and
 * MongoDB's simple one do (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF).
 */
const rank = (v: unknown): number =>
  v === null || v === undefined ? 0 : typeof v === 'number' || typeof v === 'bigint' ? 1 : typeof v === 'string' ? 2 : Buffer.isBuffer(v) ? 3 : 4;

export const compareKeyValues = (a: unknown, b: unknown): number => {
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return Math.sign(byRank);
  if (typeof a === 'number' || typeof a === 'bigint') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b as string, 'utf8')));
  if (Buffer.isBuffer(a)) return Math.sign(Buffer.compare(a, b as Buffer));
  if (rank(a) === 0) return 0;
  return Math.sign(Buffer.compare(Buffer.from(JSON.stringify(a) ?? ''), Buffer.from(JSON.stringify(b) ?? '')));
};

const compareKeys = (a: readonly unknown[], b: readonly unknown[]): number => {
  for (let i = 0; i < a.length; i++) {
    const c = compareKeyValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
};

type Cursor = AsyncIterator<Row> | Iterator<Row>;

const cursorOf = (rows: Iterable<Row> | AsyncIterable<Row>): Cursor =>
  Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : (rows as Iterable<Row>)[Symbol.iterator]();

/**
 * Walks both sides in key order at once (a merge join): constant memory on a table of millions of rows. Each side
 * is checked to be strictly ascending as compareKeys sees it: if a store ever ordered keys differently, the walk
 * would pair the wrong rows, so it stops with an error instead of reporting false differences.
 */
export const compareOrdered = async (c: OrderedComparison): Promise<ReplayTableComparison> => {
  const result: ReplayTableComparison = { table: c.table, liveRows: 0, replayedRows: 0, differences: 0, shown: [] };
  const found = (difference: ReplayDifference) => {
    result.differences++;
    if (result.shown.length < c.maxShown) result.shown.push(difference);
  };
  for (const detail of c.schema ?? []) found({ kind: 'schema', detail });

  const keyOf = (row: Row) => c.keyColumns.map((k) => row[k]);
  const keyObject = (row: Row): ReplayRowKey => Object.fromEntries(c.keyColumns.map((k) => [k, row[k]]));
  const side = (name: 'live' | 'replayed', rows: Iterable<Row> | AsyncIterable<Row>) => {
    const cursor = cursorOf(rows);
    let previous: unknown[] | null = null;
    return {
      cursor,
      async next(): Promise<Row | null> {
        const step = await cursor.next();
        if (step.done) return null;
        const key = keyOf(step.value);
        if (previous !== null && compareKeys(previous, key) >= 0) {
          throw new Error(`${c.table}: the ${name} rows are not in ascending key order at ${JSON.stringify(keyObject(step.value))}; cannot compare`);
        }
        previous = key;
        if (name === 'live') result.liveRows++;
        else result.replayedRows++;
        return step.value;
      },
    };
  };
  const live = side('live', c.live);
  const replayed = side('replayed', c.replayed);
  try {
    let l = await live.next();
    let r = await replayed.next();
    while (l !== null || r !== null) {
      const order = l === null ? 1 : r === null ? -1 : compareKeys(keyOf(l), keyOf(r));
      if (order < 0) {
        found({ kind: 'extra-in-live', key: keyObject(l!) });
        l = await live.next();
      } else if (order > 0) {
        found({ kind: 'missing-in-live', key: keyObject(r!) });
        r = await replayed.next();
      } else {
        const columns: ReplayColumnDifference[] = c
          .columnsOf(l!, r!)
          .filter((column) => !c.same(l![column], r![column]))
          .map((column) => ({ column, live: l![column], replayed: r![column] }));
        if (columns.length > 0) found({ kind: 'changed', key: keyObject(l!), columns });
        l = await live.next();
        r = await replayed.next();
      }
    }
  } finally {
    // An abandoned SQLite iterator keeps its connection busy; a MongoDB cursor, a server-side cursor.
    await live.cursor.return?.();
    await replayed.cursor.return?.();
  }
  return result;
};
