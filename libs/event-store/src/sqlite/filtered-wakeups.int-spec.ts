import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, sqliteFileIn, type SqliteDb } from './open-sqlite.js';
import { SqliteEventStore } from './sqlite-event-store.js';

// A subscription filtered by type (the hot key table's, the webhook deliverer's: lifecycle events) is woken by an
// append in this process only when it wrote one of those types: uses, most of the log, do not wake it (issue 11).
// Other processes' appends still reach it by the poll.

const event = (type: string) => ({ eventId: randomUUID(), type, data: { n: 1 } });
const tick = () => new Promise((r) => setTimeout(r, 20));

describe.each(['inline', 'worker'] as const)('SqliteEventStore (%s writer): filtered subscriptions', (writer) => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let reads: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-wakeups-'));
    db = openSqlite(sqliteFileIn(dir));
    // A poll far longer than the test: every wake-up seen here comes from an append.
    store = new SqliteEventStore(db, { pollIntervalMs: 60_000, writer });
    reads = 0;
    const read = (store as unknown as { readBatchAndHead: (...a: unknown[]) => unknown }).readBatchAndHead.bind(store);
    (store as unknown as { readBatchAndHead: (...a: unknown[]) => unknown }).readBatchAndHead = (...a: unknown[]) => {
      reads += 1;
      return read(...a);
    };
  });
  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not woken by appends of other types, and is by its own', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const follow = (async () => {
      for await (const e of store.subscribeToAll({ after: 0, eventTypes: ['KeyRevoked'], signal: controller.signal })) seen.push(e.type);
    })();
    await tick();
    const idle = reads;

    for (let i = 0; i < 5; i++) await store.appendToStream('usage-acme', [event('KeyUsed')], 'any');
    await tick();
    expect(reads).toBe(idle);

    await store.appendToStream('keyring-acme', [event('KeyRevoked')], 'any');
    await tick();
    expect(seen).toEqual(['KeyRevoked']);
    expect(reads).toBeGreaterThan(idle);

    // An unfiltered subscription is woken by every append, uses included.
    const all: string[] = [];
    const followAll = (async () => {
      for await (const e of store.subscribeToAll({ after: 0, signal: controller.signal })) all.push(e.type);
    })();
    await tick();
    await store.appendToStream('usage-acme', [event('KeyUsed')], 'any');
    await tick();
    expect(all.filter((t) => t === 'KeyUsed')).toHaveLength(6);

    controller.abort();
    await Promise.all([follow, followAll]);
  });
});
