import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, sqliteFileIn, type SqliteDb } from '#event-store';
import { embeddedReadSide } from '../embedded-read-side.js';
import { KEYS_LIST_TABLE } from '../keys-list/keys-list.projection.sqlite.js';

// Issue 11: the live loop's passes of uses only are coalesced (SqliteProjectionRunnerOptions.coalesce). What a
// pause may never do: keep stop() waiting, hold a backlog back, or keep a waiter waiting.
describe('coalesced passes of uses (live loop)', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let passes: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-coalesce-'));
    db = openSqlite(sqliteFileIn(dir));
    store = new SqliteEventStore(db, { pollIntervalMs: 10 });
    // Every pass of the live loop goes through runExclusive: count them.
    passes = 0;
    const runExclusive = store.runExclusive.bind(store);
    store.runExclusive = (work) => ((passes += 1), runExclusive(work));
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  const use = () => ({
    eventId: randomUUID(),
    type: 'KeyUsed',
    data: {
      actorUserId: 'alice', actorName: 'Alice', companyId: 'acme', keyId: 'kg_1', correlationId: `c${n}`, at: '2026-05-10T12:00:01.000Z',
      tool: 'whoami', outcome: 'ok', client: { name: 'cli', version: '1' }, remoteAddress: null, requestId: `r${n++}`,
    },
  });
  const appendUses = (count: number) => store.appendToStream('usage-acme', Array.from({ length: count }, use), 'any');
  const runnerWith = (ms: number, maxBatch?: number) => {
    const { runner } = embeddedReadSide(db, store, { coalesce: { types: ['KeyUsed'], ms }, maxBatch });
    runner.start();
    return runner;
  };
  const checkpoint = (runner: ReturnType<typeof runnerWith>) => runner.checkpoints()[KEYS_LIST_TABLE];
  const until = async (condition: () => boolean, what: string, timeoutMs = 3000) => {
    for (const deadline = Date.now() + timeoutMs; !condition(); await new Promise((r) => setTimeout(r, 5))) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    }
  };

  it('uses appended while a pass waits are applied in that same pass', async () => {
    const runner = runnerWith(1000);
    await appendUses(1);
    await until(() => checkpoint(runner) === 1, 'the first pass (none before it: no wait)');
    expect(passes).toBe(1);
    for (let i = 0; i < 3; i++) await appendUses(1);
    await until(() => checkpoint(runner) === 4, 'the held uses');
    expect(passes).toBe(2);
    await runner.stop();
  });

  it('waitFor ends the wait at once, and stop() during a wait does not wait it out', async () => {
    const runner = runnerWith(60_000);
    await appendUses(1);
    await until(() => checkpoint(runner) === 1, 'the first pass');
    await appendUses(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(checkpoint(runner)).toBe(1); // held
    await runner.waitFor(2, undefined, 2000);
    await appendUses(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(checkpoint(runner)).toBe(2); // held again
    await runner.stop(); // under the test's timeout: the 60 s wait ends with the stop
  });

  it('a backlog is never held: a full batch, and the batch after a full one, run at once', async () => {
    const runner = runnerWith(60_000, 5);
    await appendUses(1);
    await until(() => checkpoint(runner) === 1, 'the first pass');
    await appendUses(12);
    await until(() => checkpoint(runner) === 13, 'the backlog: 5, 5, then 2 after a full batch');
    await runner.stop();
  });
});
